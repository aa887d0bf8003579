package dev.easel.application;

import java.time.Duration;

/**
 * Where a job stands.
 *
 * @param position   1 = starts next; 0 = running now
 * @param untilStart estimated time until it starts (zero when running)
 * @param untilDone  estimated time until its images are ready
 */
public record QueueStanding(int position, Duration untilStart, Duration untilDone) {
    public boolean running() {
        return position == 0;
    }
}
