package dev.easel.application;

import java.util.List;

/**
 * The image engine (Stable Diffusion on DJL in production). Only {@link JobWorker} calls it, one call at a time
 * per instance.
 *
 * <p>Contract of {@link #generate}:
 * <ul>
 *   <li>{@code results.get(i)} answers {@code requests.get(i)}; an {@link GenerationResult.Images} holds exactly
 *       {@link GenerationRequest#imageCount()} images in candidate order.</li>
 *   <li>A candidate's pixels depend only on its own request and candidate (prompt, negative prompt, seed,
 *       guidance, …), never on the other requests of the call: merging jobs must not change their pictures.</li>
 *   <li>Every request's listener is called after every step of that request; when it returns false the request is
 *       answered with {@link GenerationResult.Cancelled} and the others go on.</li>
 *   <li>Only text-to-image requests with equal {@link BatchKey}s are ever passed together; image-to-image and
 *       upscale requests come alone.</li>
 * </ul>
 */
public interface ImageGenerator {

    /**
     * @throws GenerationOutOfMemoryException the call did not fit in memory (the worker retries merged jobs alone)
     * @throws GenerationFailedException      anything else that keeps the call from producing images, with a
     *                                        reason a user can read
     */
    List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException;

    /**
     * How many images at this size are worth denoising in one call: more than one job's candidates only when a
     * bigger batch raises throughput and fits in memory (typically on a GPU). The worker merges compatible
     * queued jobs up to {@code min(this, worker.max-batch-images)}.
     */
    int maxBatchImages(int width, int height);
}
