package dev.easel.domain.job;

/** Which pipeline a job needs. */
public enum GenerationMode {
    TEXT_TO_IMAGE, IMAGE_TO_IMAGE, UPSCALE
}
