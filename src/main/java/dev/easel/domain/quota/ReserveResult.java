package dev.easel.domain.quota;

/** The answer to {@link QuotaService#reserve}: {@link Granted} or {@link Denied}. */
public sealed interface ReserveResult permits Granted, Denied {
}
