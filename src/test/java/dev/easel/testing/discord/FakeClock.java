package dev.easel.testing.discord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it. {@link FakeDiscord} reads it for interaction deadlines
 * (3 s to acknowledge, 15 min token lifetime), message timestamps and new snowflakes.
 */
public final class FakeClock extends Clock {
    private final AtomicReference<Instant> now;

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock starting at the current wall-clock time (so snowflakes look current to JDA). */
    public static FakeClock startingNow() {
        return new FakeClock(Instant.now());
    }

    /** Moves the clock forward; {@code by} must not be negative. */
    public Instant advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward, got " + by);
        }
        return now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("FakeClock is UTC only");
    }
}
