package dev.easel.testing.discord;

import java.time.Clock;

/**
 * Snowflake ids from a clock: (ms since 2015-01-01 << 22) | (worker 1 << 17) | 12-bit sequence. When the clock
 * stands still (a {@link FakeClock}) the time part is bumped after 4096 ids, so ids stay unique and increasing.
 */
final class Snowflakes {
    static final long DISCORD_EPOCH_MS = 1420070400000L;

    private final Clock clock;
    private long lastMillis;
    private int sequence;

    Snowflakes(Clock clock) {
        this.clock = clock;
    }

    /** The snowflake of {@code epochMillis} with worker 1 and {@code sequence} (0..4095). */
    static long at(long epochMillis, int sequence) {
        return ((epochMillis - DISCORD_EPOCH_MS) << 22) | (1L << 17) | (sequence & 0xFFF);
    }

    synchronized long next() {
        long ms = clock.millis();
        if (ms > lastMillis) {
            lastMillis = ms;
            sequence = 0;
        } else if (++sequence > 0xFFF) {
            lastMillis++;
            sequence = 0;
        }
        return ((lastMillis - DISCORD_EPOCH_MS) << 22) | (1L << 17) | sequence;
    }
}
