package dev.easel.adapter.discord;

import dev.easel.application.Membership;
import dev.easel.application.QuotaServiceGate;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.Member;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.entities.Entitlement;
import net.dv8tion.jda.api.entities.ISnowflake;
import net.dv8tion.jda.api.interactions.Interaction;

import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The member behind an interaction, as the bot needs them: ids, the roles and active entitlements (SKUs) Discord
 * reported with the interaction (plans can come from either), and whether they administer the server (Manage
 * Server permission).
 *
 * @param guildId   null in a direct message
 * @param channelId where the interaction happened
 */
record Who(String userId, String guildId, String channelId, Set<String> roleIds, Set<String> skuIds, boolean admin) {

    static Who of(Interaction i, Instant now) {
        var member = i.getMember();
        Set<String> roles = member == null ? Set.of()
                : member.getRoles().stream().map(ISnowflake::getId).collect(Collectors.toUnmodifiableSet());
        Set<String> skus = i.getEntitlements().stream()
                .filter(e -> !e.isDeleted() && (e.getTimeEnding() == null || e.getTimeEnding().toInstant().isAfter(now)))
                .map(Entitlement::getSkuId).collect(Collectors.toUnmodifiableSet());
        boolean admin = member != null && member.hasPermission(Permission.MANAGE_SERVER);
        return new Who(i.getUser().getId(), i.getGuild() == null ? null : i.getGuild().getId(),
                i.getChannelId(), roles, skus, admin);
    }

    Owner owner() {
        return new Owner(userId, guildId, channelId);
    }

    /** The roles and entitlements the quota resolves plans from. */
    Membership membership() {
        return new Membership(roleIds, skuIds);
    }

    /** The member as the quota sees them (direct messages count under {@link QuotaServiceGate#DIRECT}). */
    Member quotaMember() {
        return QuotaServiceGate.member(owner(), membership());
    }

    String mention() {
        return "<@" + userId + ">";
    }
}
