package dev.easel.domain.quota;

import java.util.Set;

/**
 * A guild member as the platform reports them at the time of a request: the Discord role ids they
 * hold and the SKU ids of their active entitlements. The quota service remembers the last reported
 * roles and SKUs, so that queries without them ({@link QuotaService#isPrivate(String, String)},
 * {@link QuotaService#usage(String, String)}) resolve the same plan.
 */
public record Member(String guildId, String userId, Set<String> roleIds, Set<String> skuIds) {
    public Member {
        Ids.check("guild", guildId);
        Ids.check("user", userId);
        roleIds = Set.copyOf(roleIds);
        skuIds = Set.copyOf(skuIds);
        roleIds.forEach(r -> Ids.check("role", r));
        skuIds.forEach(s -> Ids.check("SKU", s));
    }

    /** A member with no roles and no entitlements. */
    public static Member of(String guildId, String userId) {
        return new Member(guildId, userId, Set.of(), Set.of());
    }

    public Member withRoles(String... roles) {
        return new Member(guildId, userId, Set.of(roles), skuIds);
    }

    public Member withSkus(String... skus) {
        return new Member(guildId, userId, roleIds, Set.of(skus));
    }
}
