package dev.easel.application;

/** How long a finished job's generation took (its share of a merged batch), for ETA estimates. */
public record RunSample(long runMillis, int steps, int imageCount, long pixels) {
}
