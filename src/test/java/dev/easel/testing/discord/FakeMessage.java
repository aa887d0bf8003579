package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One version of a message held by {@link FakeDiscord} (messages are immutable snapshots; every edit adds a
 * version, see {@link FakeDiscord#messageHistory(long)}).
 *
 * @param id            message snowflake
 * @param channelId     channel snowflake
 * @param guildId       guild snowflake, or {@code 0} in a DM
 * @param type          Discord message type (0 default, 20 chat-input command response, 19 reply)
 * @param content       text content
 * @param flags         message flags (64 ephemeral, 128 loading, 4 suppress embeds, 32768 components v2 …)
 * @param components    the components array as Discord would return it (each with a numeric {@code id})
 * @param embeds        the embeds array
 * @param attachments   files attached
 * @param interactionId the interaction this message answers, or {@code 0}
 * @param createdAt     creation time (stand-in clock)
 * @param editedAt      time of the last edit, or {@code null}
 * @param version       0 for the message as created, +1 per edit
 * @param deleted       whether this version records the deletion
 */
public record FakeMessage(long id, long channelId, long guildId, int type, String content, int flags,
                          JsonNode components, JsonNode embeds, List<FakeAttachment> attachments, long interactionId,
                          Instant createdAt, Instant editedAt, int version, boolean deleted) {
    public static final int EPHEMERAL = 64;
    public static final int LOADING = 128;

    /** A button of a message (type 2 component). */
    public record FakeButton(int style, String label, String customId, String url, String skuId, boolean disabled) {
    }

    public FakeMessage {
        attachments = List.copyOf(attachments);
    }

    public boolean isEphemeral() {
        return (flags & EPHEMERAL) != 0;
    }

    /** "Bot is thinking…": a deferred (type 5) response that no edit or follow-up has filled yet. */
    public boolean isLoading() {
        return (flags & LOADING) != 0;
    }

    /** Buttons per action row, in order; rows of other component types are skipped. */
    public List<List<FakeButton>> buttonRows() {
        List<List<FakeButton>> rows = new ArrayList<>();
        for (JsonNode row : components) {
            if (row.path("type").asInt() != 1) {
                continue;
            }
            List<FakeButton> buttons = new ArrayList<>();
            for (JsonNode c : row.path("components")) {
                if (c.path("type").asInt() == 2) {
                    buttons.add(new FakeButton(c.path("style").asInt(), text(c, "label"), text(c, "custom_id"),
                            text(c, "url"), text(c, "sku_id"), c.path("disabled").asBoolean(false)));
                }
            }
            rows.add(buttons);
        }
        return rows;
    }

    /** Every {@code custom_id} anywhere in the component tree, depth first. */
    public List<String> customIds() {
        List<String> out = new ArrayList<>();
        collectCustomIds(components, out);
        return out;
    }

    private static void collectCustomIds(JsonNode node, List<String> out) {
        if (node.isObject() && node.hasNonNull("custom_id")) {
            out.add(node.get("custom_id").asText());
        }
        if (node.isContainerNode()) {
            node.forEach(child -> collectCustomIds(child, out));
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
