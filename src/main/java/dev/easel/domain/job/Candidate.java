package dev.easel.domain.job;

/**
 * What one candidate image of a job is made from: its own noise seed and its own classifier-free guidance
 * scale ({@code noise = uncond + guidanceScale · (cond − uncond)}).
 */
public record Candidate(int index, long seed, double guidanceScale) {
    public Candidate {
        if (index < 0) {
            throw new IllegalArgumentException("candidate index must be >= 0; got " + index);
        }
        if (seed < 0 || seed > GenerationParams.MAX_SEED) {
            throw new IllegalArgumentException("seed must be 0.." + GenerationParams.MAX_SEED + "; got " + seed);
        }
    }
}
