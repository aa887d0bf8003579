package dev.easel.sd.pipelines;

import java.awt.image.BufferedImage;
import java.util.function.Supplier;

/** Called after every denoising step; the preview is computed only if asked for. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (step, total, preview) -> { };

    /**
     * @param step    steps done so far (1..total)
     * @param total   denoising steps of this run
     * @param preview a cheap RGB preview of the current latents (a grid of the candidates)
     */
    void onStep(int step, int total, Supplier<BufferedImage> preview);
}
