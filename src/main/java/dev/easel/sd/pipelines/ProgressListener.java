package dev.easel.sd.pipelines;

import java.awt.image.BufferedImage;

/** Called after every denoising step; previews are computed only when asked for. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (step, total, previews) -> { };

    /**
     * @param step     steps done so far (1..total)
     * @param total    denoising steps of this run
     * @param previews cheap RGB previews of the current latents (no VAE)
     */
    void onStep(int step, int total, Previews previews);

    /** Latents → RGB by the linear approximation, on demand. */
    interface Previews {
        /** Candidate i alone. */
        BufferedImage candidate(int i);

        /** {@code count} candidates from {@code first}: a 2×2 grid for four, else side by side. */
        BufferedImage grid(int first, int count);
    }
}
