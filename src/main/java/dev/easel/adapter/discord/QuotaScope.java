package dev.easel.adapter.discord;

/**
 * Quotas are kept per server. Direct messages with the bot have no server, so they count under one pseudo-server,
 * {@value #DIRECT_MESSAGES}, which gets the default plans like a new server.
 */
public final class QuotaScope {
    /** The quota "guild" of direct messages. */
    public static final String DIRECT_MESSAGES = "dm";

    private QuotaScope() {
    }

    /** The quota guild id for a Discord guild id, or {@link #DIRECT_MESSAGES} when it is null (a DM). */
    public static String of(String guildId) {
        return guildId == null ? DIRECT_MESSAGES : guildId;
    }
}
