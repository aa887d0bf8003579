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
 */
public record ReservationRequest(Owner owner, Membership membership, JobKind kind, int imageCount,
                                 GenerationParams params, UserLoad load, Instant now) {
    public ReservationRequest {
        Objects.requireNonNull(membership, "membership");
    }

    /** A request of an owner without reported roles or entitlements. */
    public ReservationRequest(Owner owner, JobKind kind, int imageCount, GenerationParams params, UserLoad load,
                              Instant now) {
        this(owner, Membership.NONE, kind, imageCount, params, load, now);
    }
}
