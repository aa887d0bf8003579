package dev.easel.domain.quota;

/** The answer to {@link QuotaService#markRunning}: {@link Started} or {@link Denied} (TOO_MANY_RUNNING). */
public sealed interface StartResult permits Started, Denied {
}
