package dev.easel.domain.quota;

/** The reservation is now RUNNING. */
public record Started(Reservation reservation) implements StartResult {
}
