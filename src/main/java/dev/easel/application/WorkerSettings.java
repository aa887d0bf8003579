package dev.easel.application;

import java.time.Duration;

/**
 * @param workerId          unique per worker and stable across restarts (its RUNNING jobs are recovered when it
 *                          starts again)
 * @param maxBatchImages    most images of merged jobs per engine call (also bounded by the engine's own limit)
 * @param mergeLookahead    how far down the fair order a compatible job may be pulled into the batch
 * @param pollInterval      how often an idle worker looks at the database for work from other processes
 * @param heartbeatInterval how often running jobs are marked alive
 * @param leaseTimeout      a RUNNING job not marked alive for this long is taken over by another worker
 * @param maxAttempts       runs of a job before a crash during it fails it (2: one re-run)
 * @param previewEverySteps a preview every n steps (0: none)
 * @param cancelPollInterval how often stop flags set by other processes are read during a run
 * @param recoveryInterval  how often orphaned jobs are looked for
 * @param upscaleScale      enlargement of an upscale
 */
public record WorkerSettings(String workerId, int maxBatchImages, int mergeLookahead, Duration pollInterval,
                             Duration heartbeatInterval, Duration leaseTimeout, int maxAttempts,
                             int previewEverySteps, Duration cancelPollInterval, Duration recoveryInterval,
                             int upscaleScale) {
    public WorkerSettings {
        if (workerId == null || workerId.isBlank() || workerId.length() > 100) {
            throw new IllegalArgumentException("worker id must be 1-100 characters; got " + workerId);
        }
        if (maxBatchImages < 1 || mergeLookahead < 0 || maxAttempts < 1 || previewEverySteps < 0) {
            throw new IllegalArgumentException("worker limits out of range: batch " + maxBatchImages + ", lookahead "
                    + mergeLookahead + ", attempts " + maxAttempts + ", preview " + previewEverySteps);
        }
        if (leaseTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("lease timeout " + leaseTimeout
                    + " must be at least twice the heartbeat interval " + heartbeatInterval);
        }
        if (upscaleScale < 2 || upscaleScale > 4) {
            throw new IllegalArgumentException("upscale scale must be 2..4; got " + upscaleScale);
        }
    }

    public static WorkerSettings defaults(String workerId) {
        return new WorkerSettings(workerId, 8, 8, Duration.ofMillis(500), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 2, 5, Duration.ofSeconds(1), Duration.ofSeconds(30), 2);
    }

    public WorkerSettings withWorkerId(String id) {
        return new WorkerSettings(id, maxBatchImages, mergeLookahead, pollInterval, heartbeatInterval, leaseTimeout,
                maxAttempts, previewEverySteps, cancelPollInterval, recoveryInterval, upscaleScale);
    }
}
