package dev.easel.domain.job;

/** What a job makes: a fresh grid, an upscale of one candidate, variations of one candidate, or a re-roll. */
public enum JobKind {
    /** Text to image: a grid of candidates from a prompt. */
    IMAGINE,
    /** One candidate of a finished grid, re-generated at a larger size (image to image). */
    UPSCALE,
    /** A new grid of candidates close to one candidate of a finished job (image to image). */
    VARIATION,
    /** The parent's generation again with new seeds. */
    REROLL
}
