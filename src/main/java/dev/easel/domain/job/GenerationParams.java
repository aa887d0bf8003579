package dev.easel.domain.job;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Everything that decides the pixels of a job.
 *
 * @param prompt            what to draw (never blank)
 * @param negativePrompt    what to avoid ("" for none), from {@code --no}
 * @param width             picture width in pixels, a multiple of 8, at least 64
 * @param height            picture height in pixels, a multiple of 8, at least 64
 * @param steps             denoising steps
 * @param guidanceScale     classifier-free guidance scale of candidate 0 at chaos 0 (1..30)
 * @param sampler           scheduler
 * @param seed              base seed (0..4294967295); empty until the job is created, which picks a random one
 * @param chaos             0..100: spread between the candidates, see {@link #candidates()}
 * @param stylize           the {@code --stylize} value the guidance came from, empty when not given
 * @param tile              seamless tiling (circular padding in the convolutions)
 * @param quality           the {@code --q} multiplier applied to the default step count (0.25, 0.5, 1 or 2)
 * @param model             model name (a folder under models/)
 * @param strength          image-to-image denoising strength for variations and upscales (0 &lt; s ≤ 1); 0 for text to image
 * @param candidateCount    how many images the job makes (4 for a grid, 1 for an upscale)
 */
public record GenerationParams(
        String prompt,
        String negativePrompt,
        int width,
        int height,
        int steps,
        double guidanceScale,
        Sampler sampler,
        OptionalLong seed,
        int chaos,
        OptionalInt stylize,
        boolean tile,
        double quality,
        String model,
        double strength,
        int candidateCount) {

    public static final long MAX_SEED = 4_294_967_295L;
    public static final double MIN_GUIDANCE = 1.0;
    public static final double MAX_GUIDANCE = 30.0;
    public static final int MAX_CANDIDATES = 16;

    public GenerationParams {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (width < 64 || height < 64 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("size must be multiples of 8, at least 64; got " + width + "x" + height);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1; got " + steps);
        }
        if (!(guidanceScale >= MIN_GUIDANCE && guidanceScale <= MAX_GUIDANCE)) {
            throw new IllegalArgumentException("guidance scale must be 1..30; got " + guidanceScale);
        }
        if (sampler == null) {
            throw new IllegalArgumentException("sampler must be set");
        }
        seed = seed == null ? OptionalLong.empty() : seed;
        if (seed.isPresent() && (seed.getAsLong() < 0 || seed.getAsLong() > MAX_SEED)) {
            throw new IllegalArgumentException("seed must be 0.." + MAX_SEED + "; got " + seed.getAsLong());
        }
        if (chaos < 0 || chaos > 100) {
            throw new IllegalArgumentException("chaos must be 0..100; got " + chaos);
        }
        stylize = stylize == null ? OptionalInt.empty() : stylize;
        if (!(quality > 0)) {
            throw new IllegalArgumentException("quality must be > 0; got " + quality);
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be named");
        }
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be 0..1; got " + strength);
        }
        if (candidateCount < 1 || candidateCount > MAX_CANDIDATES) {
            throw new IllegalArgumentException("candidate count must be 1.." + MAX_CANDIDATES + "; got " + candidateCount);
        }
    }

    /** A text-to-image request with the usual defaults; handy for code and tests that need no parser. */
    public static GenerationParams of(String prompt, String model, int width, int height, int steps) {
        return new GenerationParams(prompt, "", width, height, steps, 7.5, Sampler.DEFAULT, OptionalLong.empty(), 0,
                OptionalInt.empty(), false, 1.0, model, 0.0, 4);
    }

    public GenerationParams withSeed(long newSeed) {
        return new GenerationParams(prompt, negativePrompt, width, height, steps, guidanceScale, sampler,
                OptionalLong.of(newSeed), chaos, stylize, tile, quality, model, strength, candidateCount);
    }

    public GenerationParams withCandidateCount(int count) {
        return new GenerationParams(prompt, negativePrompt, width, height, steps, guidanceScale, sampler, seed, chaos,
                stylize, tile, quality, model, strength, count);
    }

    public GenerationParams withStrength(double newStrength) {
        return new GenerationParams(prompt, negativePrompt, width, height, steps, guidanceScale, sampler, seed, chaos,
                stylize, tile, quality, model, newStrength, candidateCount);
    }

    public GenerationParams withChaos(int newChaos) {
        return new GenerationParams(prompt, negativePrompt, width, height, steps, guidanceScale, sampler, seed,
                newChaos, stylize, tile, quality, model, strength, candidateCount);
    }

    public GenerationParams withGuidance(double newGuidance) {
        return new GenerationParams(prompt, negativePrompt, width, height, steps, newGuidance, sampler, seed, chaos,
                stylize, tile, quality, model, strength, candidateCount);
    }

    public GenerationParams withSize(int newWidth, int newHeight) {
        return new GenerationParams(prompt, negativePrompt, newWidth, newHeight, steps, guidanceScale, sampler, seed,
                chaos, stylize, tile, quality, model, strength, candidateCount);
    }

    public long pixels() {
        return (long) width * height;
    }

    /**
     * The per-candidate seeds and guidance scales. Requires a seed.
     *
     * <p>Seeds: candidate i uses {@code (seed + i) mod 2^32}, so "--seed 42" reproduces the whole grid and
     * candidate 3's own seed reproduces candidate 3 alone.
     *
     * <p>Chaos (0..100) spreads the candidates apart: candidate i of n gets the guidance scale
     * {@code g_i = clamp(g · (1 + chaos/100 · s_i), 1, 30)} with {@code s_i = i/(n−1) − 1/2}, an even spread
     * over [−½, +½]. At chaos 0 every candidate follows the prompt equally; at chaos 100 with g = 7.5 the four
     * candidates use 3.75, 6.25, 8.75 and 11.25: the low ones wander from the prompt, the high ones
     * stick to it (and saturate), so the grid shows more different takes on the prompt.
     */
    public List<Candidate> candidates() {
        long base = seed.orElseThrow(() -> new IllegalStateException("the seed is not chosen yet"));
        List<Candidate> out = new ArrayList<>(candidateCount);
        for (int i = 0; i < candidateCount; i++) {
            double spread = candidateCount == 1 ? 0.0 : (double) i / (candidateCount - 1) - 0.5;
            double g = guidanceScale * (1.0 + chaos / 100.0 * spread);
            g = Math.max(MIN_GUIDANCE, Math.min(MAX_GUIDANCE, g));
            out.add(new Candidate(i, (base + i) & 0xFFFF_FFFFL, g));
        }
        return out;
    }
}
