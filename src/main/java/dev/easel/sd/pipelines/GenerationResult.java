package dev.easel.sd.pipelines;

import dev.easel.sd.image.ImageConversion;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The decoded candidates as float RGB in [0, 1], [N, H, W, 3] row-major (what diffusers returns
 * with output_type="np"), plus facts about the run.
 *
 * @param promptTruncated the prompt had more tokens than the text encoder reads (77 with BOS/EOS)
 */
public record GenerationResult(int count, int width, int height, float[] images, boolean promptTruncated,
                               Timings timings) {

    /** Wall-clock milliseconds per stage. */
    public record Timings(long textEncoderMs, long denoiseMs, int steps, long decodeMs) {
        public double msPerStep() {
            return steps == 0 ? 0 : (double) denoiseMs / steps;
        }
    }

    /** The candidates as 8-bit RGB images, converted exactly as diffusers' numpy_to_pil. */
    public List<BufferedImage> toImages() {
        return ImageConversion.unitToImages(images, count, height, width);
    }

    /** Candidate i's pixels, [H, W, 3]. */
    public float[] image(int i) {
        int n = width * height * 3;
        float[] out = new float[n];
        System.arraycopy(images, i * n, out, 0, n);
        return out;
    }
}
