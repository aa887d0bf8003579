package dev.easel.application;

import dev.easel.domain.job.Job;

import java.awt.image.BufferedImage;

/**
 * Tells the job's owner what happens (the Discord adapter edits the job's message). Called from worker threads;
 * implementations must not block for long and throttle edits themselves. Exceptions are logged and ignored.
 */
public interface JobNotifier {

    JobNotifier NONE = new JobNotifier() {
    };

    default void started(Job job) {
    }

    /** @param preview nullable cheap preview of the first candidate */
    default void progress(Job job, int step, int totalSteps, BufferedImage preview) {
    }

    /** The job is DONE: {@link Job#outputImageIds()} and {@link Job#gridImageId()} are stored. */
    default void completed(Job job) {
    }

    /** The job FAILED: {@link Job#failureReason()} says why. */
    default void failed(Job job) {
    }

    default void cancelled(Job job) {
    }

    /**
     * Tells {@code first}, then {@code second}; either may be null. A failure of {@code first} is
     * logged and does not keep the event from {@code second} (one adapter cannot silence another).
     */
    static JobNotifier both(JobNotifier first, JobNotifier second) {
        if (first == null || first == NONE) {
            return second == null ? NONE : second;
        }
        if (second == null || second == NONE) {
            return first;
        }
        return new JobNotifier() {
            private void each(java.util.function.Consumer<JobNotifier> call) {
                try {
                    call.accept(first);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(JobNotifier.class).warn("notifier failed: {}", e.toString());
                }
                call.accept(second);
            }

            @Override
            public void started(Job job) {
                each(n -> n.started(job));
            }

            @Override
            public void progress(Job job, int step, int totalSteps, java.awt.image.BufferedImage preview) {
                each(n -> n.progress(job, step, totalSteps, preview));
            }

            @Override
            public void completed(Job job) {
                each(n -> n.completed(job));
            }

            @Override
            public void failed(Job job) {
                each(n -> n.failed(job));
            }

            @Override
            public void cancelled(Job job) {
                each(n -> n.cancelled(job));
            }
        };
    }
}
