package dev.easel.sd.pipelines;

import java.util.ArrayList;
import java.util.List;

/**
 * One run of the pipeline: candidates of the same size, steps and sampler, denoised together in
 * one batched UNet call per step. Each candidate has its own prompt, negative prompt, seed and
 * guidance scale, so several jobs can share a batch without changing any picture. With an
 * {@link InitImage} the run is image-to-image (variations, upscaling), otherwise text-to-image.
 *
 * @param tile seamless tiling: every padded convolution wraps around the edges
 */
public record GenerationRequest(List<Candidate> candidates, int width, int height, int steps, String sampler,
                                InitImage init, boolean tile) {

    /** One image of the batch. Candidate noise comes from a generator seeded with {@code seed}. */
    public record Candidate(String prompt, String negativePrompt, long seed, double guidanceScale) {
        public Candidate {
            if (prompt == null) {
                throw new IllegalArgumentException("prompt is required");
            }
            negativePrompt = negativePrompt == null ? "" : negativePrompt;
            if (!(guidanceScale >= 0 && guidanceScale <= 100)) {
                throw new IllegalArgumentException("guidance scale must be 0..100, got " + guidanceScale);
            }
        }
    }

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
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("at least one candidate is required");
        }
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width and height must be positive multiples of 8, got " + width + "x" + height);
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("steps must be 1..1000, got " + steps);
        }
        if (init != null && (init.width() != width || init.height() != height)) {
            throw new IllegalArgumentException("init image is " + init.width() + "x" + init.height()
                    + " but the request is " + width + "x" + height);
        }
    }

    /** The same prompt and guidance for every seed: candidate i uses seeds[i]. */
    public GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                             double guidanceScale, String sampler, long[] seeds, InitImage init) {
        this(uniform(prompt, negativePrompt, guidanceScale, seeds), width, height, steps, sampler, init, false);
    }

    private static List<Candidate> uniform(String prompt, String negative, double guidance, long[] seeds) {
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("at least one seed (one per candidate) is required");
        }
        List<Candidate> out = new ArrayList<>();
        for (long s : seeds) {
            out.add(new Candidate(prompt, negative, s, guidance));
        }
        return out;
    }

    public int count() {
        return candidates.size();
    }

    public long[] seeds() {
        return candidates.stream().mapToLong(Candidate::seed).toArray();
    }

    /** Seeds S, S+1, … for {@code count} candidates (candidate i of seed S uses S + i). */
    public static long[] consecutiveSeeds(long seed, int count) {
        long[] s = new long[count];
        for (int i = 0; i < count; i++) {
            s[i] = seed + i;
        }
        return s;
    }

    @Override
    public String toString() {
        return "GenerationRequest[" + count() + " × " + width + "x" + height + ", " + steps + " steps, " + sampler
                + (tile ? ", tiled" : "") + (init != null ? ", img2img " + init.strength() : "") + "]";
    }
}
