package dev.easel.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand (millisecond precision, like what the database keeps). */
public final class MutableClock extends Clock {
    private Instant now;
    private Duration tick = Duration.ZERO;

    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Every reading moves the clock on by {@code tick} afterwards (so that events get distinct times). */
    public synchronized MutableClock ticking(Duration tick) {
        this.tick = tick;
        return this;
    }

    public MutableClock() {
        this(Instant.parse("2025-03-01T12:00:00Z"));
    }

    public static MutableClock at(String isoInstant) {
        return new MutableClock(Instant.parse(isoInstant));
    }

    public synchronized void set(Instant t) {
        now = t;
    }

    public void set(String isoInstant) {
        set(Instant.parse(isoInstant));
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        Instant t = now;
        now = now.plus(tick);
        return t;
    }
}
