package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * One admin change.
 *
 * @param sequence increasing number given by the store (0 before it is stored)
 * @param guildId  guild changed
 * @param actorId  who changed it
 * @param at       when
 * @param action   what kind of change
 * @param subject  what was changed: a plan name, "user 123", "role 456", "sku 789" or "guild"
 * @param change   what changed, e.g. "images: 100 → 200"
 */
public record AuditEntry(long sequence, String guildId, String actorId, Instant at, AuditAction action, String subject,
                         String change) {
    public AuditEntry {
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(actorId, "actorId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(change, "change");
    }

    public AuditEntry withSequence(long seq) {
        return new AuditEntry(seq, guildId, actorId, at, action, subject, change);
    }
}
