package dev.easel.application;

import java.time.Duration;

/** Wakes idle workers in this process when a job is enqueued (workers elsewhere find it by polling). */
public final class WorkSignal {
    private long generation;

    public synchronized void notifyWork() {
        generation++;
        notifyAll();
    }

    /** Waits until {@link #notifyWork} or the timeout, whichever first. */
    public synchronized void await(Duration timeout) throws InterruptedException {
        long start = generation;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (generation == start) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }
}
