package dev.easel.domain.quota;

/**
 * What a job produces, and so what it costs. An image is one candidate: a grid of four candidates
 * costs 4, an upscale of one candidate 1, a variation grid 4, a re-roll 4.
 */
public enum WorkKind {
    IMAGINE(4),
    UPSCALE(1),
    VARIATION(4),
    REROLL(4);

    private final int images;

    WorkKind(int images) {
        this.images = images;
    }

    /** Images (candidates) this kind of job produces and is charged for. */
    public int images() {
        return images;
    }
}
