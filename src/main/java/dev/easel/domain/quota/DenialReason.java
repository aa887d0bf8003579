package dev.easel.domain.quota;

/** Why a job was refused. The human text is in {@link Denied#message()}. */
public enum DenialReason {
    /** A renewing plan has not enough images left in this period (bonus included). */
    QUOTA_EXHAUSTED,
    /** A never-renewing plan (trial) has not enough images left (bonus included). */
    TRIAL_OVER,
    /** The member already runs as many jobs as the plan allows (returned by markRunning). */
    TOO_MANY_RUNNING,
    /** The member already has as many jobs queued or running as the plan allows. */
    TOO_MANY_QUEUED,
    /** More sampling steps than the plan's maxSteps. */
    STEPS_NOT_ALLOWED,
    /** Width × height above maxPixels, or a side above maxSide. */
    SIZE_NOT_ALLOWED,
    /** Upscaling not included, or a factor above maxUpscale. */
    UPSCALE_NOT_ALLOWED,
    /** A private result was asked for but the member's plan (and add-ons) do not grant it. */
    PRIVATE_NOT_ALLOWED
}
