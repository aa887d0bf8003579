package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;

/** A guild's quota settings: its default plan and how it cuts periods. */
public record GuildSettings(String guildId, String defaultPlan, PeriodMode periodMode, Instant createdAt) {
    public GuildSettings {
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(defaultPlan, "defaultPlan");
        Objects.requireNonNull(periodMode, "periodMode");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public GuildSettings withDefaultPlan(String plan) {
        return new GuildSettings(guildId, plan, periodMode, createdAt);
    }

    public GuildSettings withPeriodMode(PeriodMode mode) {
        return new GuildSettings(guildId, defaultPlan, mode, createdAt);
    }
}
