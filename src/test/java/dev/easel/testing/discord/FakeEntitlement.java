package dev.easel.testing.discord;

import java.time.Instant;

/**
 * An entitlement (a purchased or granted SKU) held by {@link FakeDiscord}; interactions of its user (or guild)
 * carry it in {@code entitlements}.
 *
 * @param id       snowflake
 * @param skuId    the SKU
 * @param userId   owning user, or {@code 0} for a guild entitlement
 * @param guildId  owning guild, or {@code 0} for a user entitlement
 * @param type     Discord entitlement type (8 APPLICATION_SUBSCRIPTION, 4 TEST_MODE_PURCHASE, …)
 * @param startsAt start, or {@code null} (test entitlements have none)
 * @param endsAt   end, or {@code null}
 * @param deleted  whether it was deleted
 */
public record FakeEntitlement(long id, long skuId, long userId, long guildId, int type, Instant startsAt,
                              Instant endsAt, boolean deleted) {
    public static final int APPLICATION_SUBSCRIPTION = 8;
    public static final int TEST_MODE_PURCHASE = 4;

    boolean appliesTo(long user, long guild) {
        return !deleted && ((userId != 0 && userId == user) || (guildId != 0 && guildId == guild));
    }
}
