package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * Images taken from a member's allowance for one job, until the job is delivered (commit) or fails
 * (refund).
 *
 * @param id              the reservation's id
 * @param guildId         guild of the member
 * @param userId          the member
 * @param plan            name of the plan charged
 * @param periodStart     start of the period charged (the meter key; {@link Instant#EPOCH} for trials)
 * @param lane            the lane decided at reservation time
 * @param planImages      images taken from the plan's allowance
 * @param bonusImages     images taken from the member's bonus
 * @param maxRunning      the plan's maxRunning at reservation time (checked by markRunning)
 * @param state           QUEUED, RUNNING, COMMITTED or REFUNDED
 * @param committedImages images finally charged (set on commit; 0 otherwise)
 * @param createdAt       when it was reserved
 * @param updatedAt       last state change
 */
public record Reservation(
        ReservationId id,
        String guildId,
        String userId,
        String plan,
        Instant periodStart,
        Lane lane,
        int planImages,
        int bonusImages,
        int maxRunning,
        ReservationState state,
        int committedImages,
        Instant createdAt,
        Instant updatedAt) {

    public Reservation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(periodStart, "periodStart");
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (planImages < 0 || bonusImages < 0 || committedImages < 0 || planImages + bonusImages < 1) {
            throw new IllegalArgumentException("bad image counts: plan " + planImages + ", bonus " + bonusImages
                    + ", committed " + committedImages);
        }
    }

    /** Images reserved in total. */
    public int images() {
        return planImages + bonusImages;
    }

    public Reservation withState(ReservationState s, int committed, Instant at) {
        return new Reservation(id, guildId, userId, plan, periodStart, lane, planImages, bonusImages, maxRunning, s,
                committed, createdAt, at);
    }
}
