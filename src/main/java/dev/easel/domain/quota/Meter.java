package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * A member's image count on one plan in one period. Used = committed + pending.
 *
 * @param guildId     guild
 * @param userId      member
 * @param plan        plan name
 * @param periodStart start of the period ({@link Instant#EPOCH} for never-renewing plans: one meter for life)
 * @param committed   images delivered and charged
 * @param pending     images of open reservations
 */
public record Meter(String guildId, String userId, String plan, Instant periodStart, int committed, int pending) {
    public Meter {
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(periodStart, "periodStart");
        if (committed < 0 || pending < 0) {
            throw new IllegalArgumentException("meter counts must be 0 or more: committed " + committed + ", pending " + pending);
        }
    }

    public static Meter empty(String guildId, String userId, String plan, Instant periodStart) {
        return new Meter(guildId, userId, plan, periodStart, 0, 0);
    }

    public int used() {
        return committed + pending;
    }

    public Meter with(int newCommitted, int newPending) {
        return new Meter(guildId, userId, plan, periodStart, newCommitted, newPending);
    }
}
