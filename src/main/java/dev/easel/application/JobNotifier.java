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
}
