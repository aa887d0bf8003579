package dev.easel.domain.quota;

/**
 * The job may not go ahead (or not start yet, for markRunning).
 *
 * @param reason  machine-readable cause
 * @param message text for the member, naming the plan and what would help (e.g. the renewal time)
 */
public record Denied(DenialReason reason, String message) implements ReserveResult, StartResult {
}
