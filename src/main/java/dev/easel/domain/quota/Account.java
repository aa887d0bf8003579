package dev.easel.domain.quota;

import java.util.Objects;
import java.util.Set;

/**
 * A member's quota state in one guild (one row per guild and user; the row a store locks to make a
 * member's reservations run one after another).
 *
 * @param guildId        guild
 * @param userId         member
 * @param bonusImages    one-off bonus images left
 * @param subscription   base plan and its start; null until the member's plan is first resolved
 * @param roleIds        last reported Discord roles
 * @param skuIds         last reported entitlement SKUs
 * @param privateEnabled the member's own switch for private results (default on; only matters when
 *                       their plan grants private results)
 */
public record Account(String guildId, String userId, int bonusImages, Subscription subscription, Set<String> roleIds,
                      Set<String> skuIds, boolean privateEnabled) {
    public Account {
        Objects.requireNonNull(guildId, "guildId");
        Objects.requireNonNull(userId, "userId");
        roleIds = Set.copyOf(roleIds);
        skuIds = Set.copyOf(skuIds);
        if (bonusImages < 0) {
            throw new IllegalArgumentException("bonusImages must be 0 or more, got " + bonusImages);
        }
    }

    /** The state of a member never seen before. */
    public static Account fresh(String guildId, String userId) {
        return new Account(guildId, userId, 0, null, Set.of(), Set.of(), true);
    }

    public Account withBonus(int bonus) {
        return new Account(guildId, userId, bonus, subscription, roleIds, skuIds, privateEnabled);
    }

    public Account withSubscription(Subscription s) {
        return new Account(guildId, userId, bonusImages, s, roleIds, skuIds, privateEnabled);
    }

    public Account withMember(Set<String> roles, Set<String> skus) {
        return new Account(guildId, userId, bonusImages, subscription, roles, skus, privateEnabled);
    }

    public Account withPrivateEnabled(boolean on) {
        return new Account(guildId, userId, bonusImages, subscription, roleIds, skuIds, on);
    }
}
