package dev.easel.application;

import dev.easel.domain.job.Lane;

import java.util.UUID;

/**
 * The quota until plans exist: everyone is on one configured plan with per-user caps on queued and running jobs
 * and no image budget, so there is nothing to charge: commit and refund only end the reservation.
 */
public final class ConfigQuotaGate implements QuotaGate {
    private final String planName;
    private final Lane lane;
    private final int maxRunning;
    private final int maxQueued;

    public ConfigQuotaGate(String planName, Lane lane, int maxRunning, int maxQueued) {
        if (maxRunning < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("per-user caps must be >= 1; got running " + maxRunning
                    + ", queued " + maxQueued);
        }
        this.planName = planName;
        this.lane = lane;
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
    }

    @Override
    public QuotaDecision reserve(ReservationRequest request, Tx tx) {
        int queued = request.load().queued();
        if (queued >= maxQueued) {
            return new QuotaDecision.Denied("you already have " + queued + " job" + (queued == 1 ? "" : "s")
                    + " waiting, the most the " + planName + " plan allows (" + maxQueued
                    + "); wait for one to start or cancel one");
        }
        return new QuotaDecision.Granted("cfg-" + UUID.randomUUID(), planName, lane, false, maxRunning);
    }

    @Override
    public void commit(String reservationId, Tx tx) {
        // No image budget in this plan: nothing to charge.
    }

    @Override
    public void refund(String reservationId, String reason, Tx tx) {
        // Nothing was charged, nothing to give back.
    }
}
