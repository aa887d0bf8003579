package dev.easel.domain.quota;

/**
 * A reservation's life: QUEUED → RUNNING → COMMITTED | REFUNDED (QUEUED may be settled directly).
 * QUEUED and RUNNING reservations are "open": they count against the plan's maxQueued (both) and
 * maxRunning (RUNNING only), and their images are already taken from the allowance.
 */
public enum ReservationState {
    QUEUED,
    RUNNING,
    COMMITTED,
    REFUNDED;

    public boolean isOpen() {
        return this == QUEUED || this == RUNNING;
    }
}
