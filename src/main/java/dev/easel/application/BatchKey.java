package dev.easel.application;

import dev.easel.domain.job.Sampler;

/**
 * Text-to-image jobs with equal keys can share one denoising batch: same model, size, steps, sampler and tiling.
 * Prompts, seeds and guidance may differ per job (each candidate carries its own).
 */
public record BatchKey(String model, int width, int height, int steps, Sampler sampler, boolean tile) {
}
