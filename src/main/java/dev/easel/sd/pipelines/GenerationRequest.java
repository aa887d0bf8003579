package dev.easel.sd.pipelines;

import java.util.Arrays;

/**
 * One run of the pipeline: N candidates (one per seed) of the same prompt and settings,
 * denoised together in one batched UNet call per step. With an {@link InitImage} it is
 * image-to-image (variations, upscaling), otherwise text-to-image.
 */
public record GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                                double guidanceScale, String sampler, long[] seeds, InitImage init) {

    /** An init image [1, 3, H, W] in [−1, 1] (row-major planes) and how far to re-noise it (0..1]. */
    public record InitImage(float[] pixels, int width, int height, double strength) {
        public InitImage {
            if (pixels.length != 3 * width * height) {
                throw new IllegalArgumentException("init image has " + pixels.length + " values, expected 3×" + width + "×" + height);
            }
            if (!(strength > 0 && strength <= 1)) {
                throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
            }
        }
    }

    public GenerationRequest {
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is required");
        }
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width and height must be positive multiples of 8, got " + width + "x" + height);
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("steps must be 1..1000, got " + steps);
        }
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("at least one seed (one per candidate) is required");
        }
        if (init != null && (init.width() != width || init.height() != height)) {
            throw new IllegalArgumentException("init image is " + init.width() + "x" + init.height()
                    + " but the request is " + width + "x" + height);
        }
        seeds = seeds.clone();
    }

    public int count() {
        return seeds.length;
    }

    /** Seeds S, S+1, … for {@code count} candidates (candidate i of seed S uses S + i). */
    public static long[] consecutiveSeeds(long seed, int count) {
        long[] s = new long[count];
        for (int i = 0; i < count; i++) {
            s[i] = seed + i;
        }
        return s;
    }

    public GenerationRequest withInit(InitImage image) {
        return new GenerationRequest(prompt, negativePrompt, image.width(), image.height(), steps, guidanceScale,
                sampler, seeds, image);
    }

    @Override
    public String toString() {
        return "GenerationRequest[" + width + "x" + height + ", " + steps + " steps, " + sampler + ", cfg "
                + guidanceScale + ", seeds " + Arrays.toString(seeds) + (init != null ? ", img2img " + init.strength() : "") + "]";
    }
}
