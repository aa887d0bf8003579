package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Owner;

import java.time.Instant;

/**
 * What a submission asks the quota for.
 *
 * @param imageCount images the job will deliver (a grid: 4, an upscale: 1); only delivered work is charged
 * @param load       the owner's queued and running jobs before this one
 */
public record ReservationRequest(Owner owner, JobKind kind, int imageCount, GenerationParams params, UserLoad load,
                                 Instant now) {
}
