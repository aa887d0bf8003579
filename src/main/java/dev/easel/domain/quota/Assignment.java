package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An admin's explicit choice of a plan for a member. A member has at most one assignment of a base
 * plan, plus any number of add-on assignments. Keyed by (guild, user, plan).
 *
 * @param expiresAt empty = until unassigned; otherwise the assignment stops applying at this instant
 */
public record Assignment(String guildId, String userId, String plan, String assignedBy, Instant assignedAt,
                         Optional<Instant> expiresAt) {
    public Assignment {
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(assignedBy, "assignedBy");
        Objects.requireNonNull(assignedAt, "assignedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean activeAt(Instant now) {
        return expiresAt.isEmpty() || now.isBefore(expiresAt.get());
    }

    public Assignment withPlan(String newPlan) {
        return new Assignment(guildId, userId, newPlan, assignedBy, assignedAt, expiresAt);
    }
}
