package dev.easel.application;

/**
 * The quota seen from the job use cases. Each call runs in the caller's transaction, so that "reserve + save the
 * job" and "mark the job done + commit the charge" (or failed + refund) are atomic.
 *
 * <p>Every granted reservation ends exactly once: {@link #commit} when its job is DONE, {@link #refund} when
 * it FAILED or was CANCELLED.
 */
public interface QuotaGate {

    QuotaDecision reserve(ReservationRequest request, Tx tx);

    /** The job delivered its images: charge them. */
    void commit(String reservationId, Tx tx);

    /** The job delivered nothing: release the reservation. */
    void refund(String reservationId, String reason, Tx tx);
}
