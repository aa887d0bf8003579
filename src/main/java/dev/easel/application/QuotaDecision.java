package dev.easel.application;

import dev.easel.domain.job.Lane;

/** The quota's answer to a {@link ReservationRequest}. */
public sealed interface QuotaDecision permits QuotaDecision.Granted, QuotaDecision.Denied {

    /**
     * @param reservationId  committed when the job is delivered, refunded otherwise
     * @param planName       the owner's plan, stored with the job
     * @param lane           FAST or RELAX for this job
     * @param privateResults results and prompt shown only to the owner
     * @param maxRunning     how many of the owner's jobs may run at once
     */
    record Granted(String reservationId, String planName, Lane lane, boolean privateResults, int maxRunning)
            implements QuotaDecision {
        public Granted {
            if (reservationId == null || reservationId.isBlank() || reservationId.length() > 64) {
                throw new IllegalArgumentException("reservation id must be 1-64 characters; got " + reservationId);
            }
            if (planName == null || planName.isBlank()) {
                throw new IllegalArgumentException("plan name must be set");
            }
            if (lane == null) {
                throw new IllegalArgumentException("lane must be set");
            }
            if (maxRunning < 1) {
                throw new IllegalArgumentException("max running must be >= 1; got " + maxRunning);
            }
        }
    }

    /** Refused; the reason is shown to the user (what limit, which plan, when it renews). */
    record Denied(String reason) implements QuotaDecision {
    }
}
