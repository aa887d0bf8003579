package dev.easel.application;

import java.awt.image.BufferedImage;

/** Told about every denoising step of one {@link GenerationRequest}; also how the worker cancels it. */
public interface ProgressListener {

    ProgressListener NONE = (step, total, preview) -> true;

    /**
     * Called after each step.
     *
     * @param step       1-based step just finished
     * @param totalSteps steps this request runs (for image to image: the steps after skipping by strength)
     * @param preview    a cheap picture of the current state of the request's first candidate when
     *                   {@link #wantsPreview} asked for one, otherwise null
     * @return true to go on; false to stop this request: the engine stops spending work on it (alone: at once;
     *         in a batch: it may drop its rows) and answers it with {@link GenerationResult.Cancelled}
     */
    boolean onStep(int step, int totalSteps, BufferedImage preview);

    /** Whether the engine should make a preview at this step (a preview costs a decode). */
    default boolean wantsPreview(int step, int totalSteps) {
        return false;
    }
}
