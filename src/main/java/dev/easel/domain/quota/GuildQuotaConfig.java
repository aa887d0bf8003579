package dev.easel.domain.quota;

import java.util.List;
import java.util.Map;

/**
 * A guild's whole quota configuration, for admin listings.
 *
 * @param settings    default plan and period mode
 * @param plans       plans, highest priority first (then by name)
 * @param roleToPlan  Discord role id → plan name
 * @param skuToPlan   SKU id → plan name
 */
public record GuildQuotaConfig(GuildSettings settings, List<Plan> plans, Map<String, String> roleToPlan,
                               Map<String, String> skuToPlan) {
    public GuildQuotaConfig {
        plans = List.copyOf(plans);
        roleToPlan = Map.copyOf(roleToPlan);
        skuToPlan = Map.copyOf(skuToPlan);
    }
}
