package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Owner;

import java.time.Instant;
import java.util.Objects;

/**
 * What a submission asks the quota for.
 *
 * @param membership the owner's roles and entitlements as reported with the request
 * @param imageCount images the job will deliver (a grid: 4, an upscale: 1); only delivered work is charged
 * @param load       the owner's queued and running jobs before this one
 * @param upscaleSteps for an upscale, how many upscales the result is from the grid candidate (1 = U on a grid,
 *                     2 = an upscale of an upscale); the quota checks the total factor against the plan; 0 otherwise
 */
public record ReservationRequest(Owner owner, Membership membership, JobKind kind, int imageCount,
                                 GenerationParams params, UserLoad load, Instant now, int upscaleSteps) {
    public ReservationRequest {
        Objects.requireNonNull(membership, "membership");
        if (upscaleSteps < 0) {
            throw new IllegalArgumentException("upscale steps must be >= 0; got " + upscaleSteps);
        }
    }

    /**
     * A request whose upscale (if it is one) enlarges a grid candidate once.
     */
    public ReservationRequest(Owner owner, Membership membership, JobKind kind, int imageCount,
                              GenerationParams params, UserLoad load, Instant now) {
        this(owner, membership, kind, imageCount, params, load, now, kind == JobKind.UPSCALE ? 1 : 0);
    }

    /** A request of an owner without reported roles or entitlements. */
    public ReservationRequest(Owner owner, JobKind kind, int imageCount, GenerationParams params, UserLoad load,
                              Instant now) {
        this(owner, Membership.NONE, kind, imageCount, params, load, now);
    }
}
