package dev.easel.application;

import dev.easel.domain.job.JobId;
import dev.easel.domain.job.Lane;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The queue as the dispatcher sees it: the waiting jobs (each user's oldest first, see
 * {@link JobRepository#snapshot}), the running ones, and when each user last had a job started.
 */
public record QueueSnapshot(List<Queued> queued, List<Running> running, Map<String, Instant> lastServed) {

    public QueueSnapshot {
        queued = List.copyOf(queued);
        running = List.copyOf(running);
        lastServed = Map.copyOf(lastServed);
    }

    /**
     * @param maxRunning how many of this user's jobs may run at once
     * @param batchKey   null unless the job is text to image (only those are merged)
     */
    public record Queued(JobId id, String userId, Lane lane, Instant createdAt, int maxRunning, int imageCount,
                         int steps, long pixels, BatchKey batchKey) {
    }

    public record Running(JobId id, String userId, Instant startedAt, int imageCount, int steps, long pixels,
                          String workerId) {
    }
}
