package dev.easel.domain.quota;

import java.util.Objects;

/**
 * The facts about a job that the quota decision needs.
 *
 * @param kind          what the job is (for messages and the default cost)
 * @param images        images charged: normally {@code kind.images()}
 * @param steps         sampling steps (0 for work without diffusion steps)
 * @param width         width of the generated image in pixels (for an upscale: of the source candidate)
 * @param height        height likewise
 * @param upscaleFactor 0 when the job does not enlarge the image; otherwise the factor (2, 4, …)
 * @param privateResult whether the result (and prompt) is to be shown only to its owner
 */
public record QuotaRequest(WorkKind kind, int images, int steps, int width, int height, int upscaleFactor,
                           boolean privateResult) {
    public QuotaRequest {
        Objects.requireNonNull(kind, "kind");
        if (images < 1 || images > 1_000) {
            throw new IllegalArgumentException("images must be between 1 and 1000, got " + images);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be 0 or more, got " + steps);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be at least 1, got " + width + "x" + height);
        }
        if (upscaleFactor < 0 || upscaleFactor == 1) {
            throw new IllegalArgumentException("upscaleFactor must be 0 (no upscaling) or at least 2, got " + upscaleFactor);
        }
    }

    /** A public job of {@code kind} at its usual cost, without upscaling. */
    public static QuotaRequest of(WorkKind kind, int steps, int width, int height) {
        return new QuotaRequest(kind, kind.images(), steps, width, height, 0, false);
    }

    public QuotaRequest withImages(int n) {
        return new QuotaRequest(kind, n, steps, width, height, upscaleFactor, privateResult);
    }

    public QuotaRequest withUpscale(int factor) {
        return new QuotaRequest(kind, images, steps, width, height, factor, privateResult);
    }

    public QuotaRequest withPrivate(boolean p) {
        return new QuotaRequest(kind, images, steps, width, height, upscaleFactor, p);
    }
}
