package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;

/**
 * Builders for Discord's JSON shapes as of API v10 (2025–26), written to satisfy both JDA's parser and the response
 * schemas of the OpenAPI description (checked by {@code FakeDiscordFixturesTest}).
 */
final class DiscordJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory NF = JsonNodeFactory.instance;
    /** Discord writes ISO-8601 with microseconds and an explicit offset: 2025-01-31T12:00:00.000000+00:00. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private DiscordJson() {
    }

    static String id(long snowflake) {
        return Long.toUnsignedString(snowflake);
    }

    static String timestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    static ObjectNode object() {
        return NF.objectNode();
    }

    static ArrayNode ids(Collection<Long> ids) {
        ArrayNode a = NF.arrayNode();
        ids.forEach(i -> a.add(id(i)));
        return a;
    }

    /** A user object (UserResponse). */
    static ObjectNode user(FakeUser u) {
        ObjectNode n = object();
        n.put("id", id(u.id()));
        n.put("username", u.username());
        n.putNull("avatar");
        n.put("discriminator", "0");
        n.put("public_flags", 0);
        n.put("flags", 0);
        if (u.bot()) {
            n.put("bot", true);
        }
        n.put("global_name", u.globalName());
        n.putNull("avatar_decoration_data");
        n.putNull("collectibles");
        n.putNull("primary_guild");
        return n;
    }

    /** The bot's own account as {@code GET /users/@me} and READY return it (UserPIIResponse). */
    static ObjectNode selfUser(FakeUser u) {
        ObjectNode n = user(u);
        n.put("mfa_enabled", false);
        n.put("locale", "en-US");
        n.put("verified", true);
        n.putNull("email");
        return n;
    }

    /** A guild member (GuildMemberResponse). */
    static ObjectNode member(FakeUser u, Collection<Long> roleIds, Instant joinedAt) {
        ObjectNode n = object();
        n.putNull("avatar");
        n.putNull("banner");
        n.putNull("communication_disabled_until");
        n.put("flags", 0);
        n.put("joined_at", timestamp(joinedAt));
        n.putNull("nick");
        n.put("pending", false);
        n.putNull("premium_since");
        n.set("roles", ids(roleIds));
        n.set("user", user(u));
        n.put("mute", false);
        n.put("deaf", false);
        return n;
    }

    /** A role (GuildRoleResponse) with the {@code colors} object JDA requires. */
    static ObjectNode role(long id, String name, long permissions, int position, Long botId) {
        ObjectNode n = object();
        n.put("id", id(id));
        n.put("name", name);
        n.put("permissions", Long.toString(permissions));
        n.put("position", position);
        n.put("color", 0);
        ObjectNode colors = n.putObject("colors");
        colors.put("primary_color", 0);
        colors.putNull("secondary_color");
        colors.putNull("tertiary_color");
        n.put("hoist", false);
        n.put("managed", botId != null);
        n.put("mentionable", false);
        n.putNull("icon");
        n.putNull("unicode_emoji");
        n.put("flags", 0);
        if (botId != null) {
            n.putObject("tags").put("bot_id", id(botId));
        }
        return n;
    }

    /** A guild text channel (GuildChannelResponse, type 0). */
    static ObjectNode textChannel(long id, long guildId, String name, int position) {
        ObjectNode n = object();
        n.put("id", id(id));
        n.put("type", 0);
        n.putNull("last_message_id");
        n.put("flags", 0);
        n.putNull("last_pin_timestamp");
        n.put("guild_id", id(guildId));
        n.put("name", name);
        n.putNull("parent_id");
        n.put("rate_limit_per_user", 0);
        n.putNull("topic");
        n.put("position", position);
        n.putArray("permission_overwrites");
        n.put("nsfw", false);
        return n;
    }

    /** A DM channel with one recipient (PrivateChannelResponse, type 1). */
    static ObjectNode dmChannel(long id, FakeUser recipient, Long lastMessageId) {
        ObjectNode n = object();
        n.put("id", id(id));
        n.put("type", 1);
        if (lastMessageId == null) {
            n.putNull("last_message_id");
        } else {
            n.put("last_message_id", id(lastMessageId));
        }
        n.put("flags", 0);
        n.putArray("recipients").add(user(recipient));
        return n;
    }

    /** An entitlement (EntitlementResponse). */
    static ObjectNode entitlement(FakeEntitlement e, long applicationId) {
        ObjectNode n = object();
        n.put("id", id(e.id()));
        n.put("sku_id", id(e.skuId()));
        n.put("application_id", id(applicationId));
        if (e.userId() != 0) {
            n.put("user_id", id(e.userId()));
        } else {
            n.putNull("user_id");
        }
        if (e.guildId() != 0) {
            n.put("guild_id", id(e.guildId()));
        }
        n.put("deleted", e.deleted());
        if (e.startsAt() == null) {
            n.putNull("starts_at");
        } else {
            n.put("starts_at", timestamp(e.startsAt()));
        }
        if (e.endsAt() == null) {
            n.putNull("ends_at");
        } else {
            n.put("ends_at", timestamp(e.endsAt()));
        }
        n.put("type", e.type());
        n.put("consumed", false);
        return n;
    }

    /** An attachment of a message (MessageAttachmentResponse). */
    static ObjectNode attachment(FakeAttachment a, boolean ephemeral) {
        ObjectNode n = object();
        n.put("id", id(a.id()));
        n.put("filename", a.filename());
        n.put("size", a.size());
        n.put("url", a.url());
        n.put("proxy_url", a.url());
        if (a.contentType() != null) {
            n.put("content_type", a.contentType());
        }
        if (a.description() != null) {
            n.put("description", a.description());
        }
        if (a.width() != null) {
            n.put("width", a.width());
            n.put("height", a.height());
        }
        if (ephemeral) {
            n.put("ephemeral", true);
        }
        return n;
    }

    /** The JSON error body Discord sends, e.g. {@code {"message": "Unknown Message", "code": 10008}}. */
    static ObjectNode error(int code, String message) {
        ObjectNode n = object();
        n.put("message", message);
        n.put("code", code);
        return n;
    }

    static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
