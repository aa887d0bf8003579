package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.testing.discord.DiscordState.ChannelState;
import dev.easel.testing.discord.DiscordState.DiscordError;
import dev.easel.testing.discord.DiscordState.InteractionState;
import dev.easel.testing.discord.DiscordState.MessageState;
import dev.easel.testing.discord.DiscordState.Upload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The REST routes {@link FakeDiscord} implements, on top of {@link DiscordState}. Answers are Discord's: JSON bodies
 * of the documented shapes, and Discord's error codes (10003 Unknown Channel, 10008 Unknown Message, 10015 Unknown
 * Webhook, 10062 Unknown interaction, 40005 Request entity too large, 40060 already acknowledged, 50001 Missing
 * Access, 50006 empty message, 50007 cannot DM, 50027 Invalid Webhook Token, 50035 Invalid Form Body).
 */
final class FakeRestApi {
    /** One HTTP answer. {@code body} null means no content. */
    record Reply(int status, JsonNode body) {
        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }

        static Reply noContent() {
            return new Reply(204, null);
        }
    }

    /** Message flags a client may set: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2 (+ EPHEMERAL for interactions). */
    private static final int CHANNEL_FLAGS = 4 | 4096 | 32768;
    private static final int INTERACTION_FLAGS = CHANNEL_FLAGS | FakeMessage.EPHEMERAL;

    private final DiscordState s;
    private final FakeGateway gateway;
    private final String gatewayUrl;
    private final int recommendedShards;

    FakeRestApi(DiscordState state, FakeGateway gateway, String gatewayUrl, int recommendedShards) {
        this.s = state;
        this.gateway = gateway;
        this.gatewayUrl = gatewayUrl;
        this.recommendedShards = recommendedShards;
    }

    /** Whether the route needs {@code Authorization: Bot <token>} (all but interaction callbacks, webhooks by token, GET /gateway). */
    static boolean needsBotToken(String template) {
        return !template.startsWith("/interactions/") && !template.startsWith("/webhooks/{webhook_id}/{webhook_token}")
                && !template.equals("/gateway");
    }

    /** Whether the route can carry message files (the attachment size limit applies). */
    static boolean carriesFiles(String template) {
        return template.startsWith("/interactions/") || template.startsWith("/webhooks/")
                || template.startsWith("/channels/{channel_id}/messages");
    }

    /**
     * Handles one request already matched to an operation of the description.
     *
     * @return the reply, or null when the route is not implemented by the stand-in
     */
    Reply handle(RestRequest r, OpenApiValidator.Match m) {
        Map<String, String> p = m.pathParameters();
        JsonNode body = r.json() == null ? DiscordJson.object() : r.json();
        return switch (r.method() + " " + m.template()) {
            case "GET /users/@me" -> Reply.ok(DiscordJson.selfUser(s.bot));
            case "GET /users/{user_id}" -> Reply.ok(DiscordJson.user(knownUser(p)));
            case "GET /gateway" -> Reply.ok(DiscordJson.object().put("url", gatewayUrl));
            case "GET /gateway/bot" -> gatewayBot();
            case "GET /applications/@me" -> Reply.ok(application());

            case "GET /applications/{application_id}/commands" -> listCommands(app(p), 0);
            case "PUT /applications/{application_id}/commands" -> bulkCommands(app(p), 0, body);
            case "POST /applications/{application_id}/commands" -> upsertCommand(app(p), 0, body);
            case "GET /applications/{application_id}/commands/{command_id}" -> getCommand(app(p), 0, snowflake(p, "command_id"));
            case "PATCH /applications/{application_id}/commands/{command_id}" ->
                    editCommand(app(p), 0, snowflake(p, "command_id"), body);
            case "DELETE /applications/{application_id}/commands/{command_id}" ->
                    deleteCommand(app(p), 0, snowflake(p, "command_id"));
            case "GET /applications/{application_id}/guilds/{guild_id}/commands" -> listCommands(app(p), guild(p));
            case "PUT /applications/{application_id}/guilds/{guild_id}/commands" -> bulkCommands(app(p), guild(p), body);
            case "POST /applications/{application_id}/guilds/{guild_id}/commands" -> upsertCommand(app(p), guild(p), body);
            case "GET /applications/{application_id}/guilds/{guild_id}/commands/{command_id}" ->
                    getCommand(app(p), guild(p), snowflake(p, "command_id"));
            case "PATCH /applications/{application_id}/guilds/{guild_id}/commands/{command_id}" ->
                    editCommand(app(p), guild(p), snowflake(p, "command_id"), body);
            case "DELETE /applications/{application_id}/guilds/{guild_id}/commands/{command_id}" ->
                    deleteCommand(app(p), guild(p), snowflake(p, "command_id"));

            case "POST /interactions/{interaction_id}/{interaction_token}/callback" ->
                    callback(r, snowflake(p, "interaction_id"), p.get("interaction_token"), body);
            case "POST /webhooks/{webhook_id}/{webhook_token}" ->
                    followUp(r, snowflake(p, "webhook_id"), p.get("webhook_token"), body);
            case "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original" ->
                    Reply.ok(s.messageJson(original(p)));
            case "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original" ->
                    Reply.ok(s.messageJson(s.editMessage(original(p), body, uploads(r))));
            case "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original" -> delete(original(p));
            case "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" ->
                    Reply.ok(s.messageJson(webhookMessage(p)));
            case "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" ->
                    Reply.ok(s.messageJson(s.editMessage(webhookMessage(p), body, uploads(r))));
            case "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" -> delete(webhookMessage(p));

            case "GET /channels/{channel_id}" -> Reply.ok(s.channelJson(channel(p)));
            case "POST /channels/{channel_id}/messages" -> channelMessage(r, channel(p), body);
            case "GET /channels/{channel_id}/messages/{message_id}" -> Reply.ok(s.messageJson(channelMessage(p)));
            case "PATCH /channels/{channel_id}/messages/{message_id}" ->
                    Reply.ok(s.messageJson(s.editMessage(channelMessage(p), body, uploads(r))));
            case "DELETE /channels/{channel_id}/messages/{message_id}" -> delete(channelMessage(p));
            case "POST /users/@me/channels" -> openDm(body);

            case "GET /applications/{application_id}/entitlements" -> listEntitlements(app(p), r);
            case "POST /applications/{application_id}/entitlements" -> createTestEntitlement(app(p), body);
            case "DELETE /applications/{application_id}/entitlements/{entitlement_id}" ->
                    deleteEntitlement(app(p), snowflake(p, "entitlement_id"));
            default -> null;
        };
    }

    // ------------------------------------------------------------------------------------------------ basics

    private Reply gatewayBot() {
        ObjectNode n = DiscordJson.object();
        n.put("url", gatewayUrl);
        n.put("shards", recommendedShards);
        ObjectNode limit = n.putObject("session_start_limit");
        limit.put("total", 1000);
        limit.put("remaining", 999);
        limit.put("reset_after", 14_400_000);
        // Discord grants large bots a max_concurrency of 16 or more; with 1, JDA spaces shard logins 5 s apart.
        limit.put("max_concurrency", 16);
        return Reply.ok(n);
    }

    private ObjectNode application() {
        ObjectNode n = DiscordJson.object();
        n.put("id", DiscordJson.id(s.applicationId));
        n.put("name", s.bot.username());
        n.putNull("icon");
        n.put("description", "");
        n.putNull("type");
        n.set("bot", DiscordJson.user(s.bot));
        n.put("bot_public", true);
        n.put("bot_require_code_grant", false);
        n.put("verify_key", "0".repeat(64));
        n.put("flags", 0);
        n.put("flags_new", "0");
        n.putArray("redirect_uris");
        n.putNull("interactions_endpoint_url");
        n.putNull("role_connections_verification_url");
        FakeGuild first = s.guilds.get(0);
        n.set("owner", DiscordJson.user(s.user(first.ownerId())));
        n.put("approximate_guild_count", s.guilds.size());
        n.put("approximate_user_install_count", 0);
        n.put("approximate_user_authorization_count", 0);
        n.put("explicit_content_filter", 0);
        n.putNull("team");
        n.putArray("eligible_oauth2_scopes");
        ObjectNode types = n.putObject("integration_types_config");
        ObjectNode guildInstall = types.putObject("0").putObject("oauth2_install_params");
        guildInstall.putArray("scopes").add("applications.commands").add("bot");
        guildInstall.put("permissions", Long.toString(FakeDiscord.BOT_PERMISSIONS));
        types.putObject("1").putObject("oauth2_install_params").put("permissions", "0").putArray("scopes")
                .add("applications.commands");
        return n;
    }

    private long app(Map<String, String> p) {
        long id = snowflake(p, "application_id");
        if (id != s.applicationId) {
            throw DiscordError.missingAccess();
        }
        return id;
    }

    private long guild(Map<String, String> p) {
        long id = snowflake(p, "guild_id");
        if (s.guild(id) == null) {
            throw DiscordError.missingAccess();
        }
        return id;
    }

    private FakeUser knownUser(Map<String, String> p) {
        FakeUser u = s.user(snowflake(p, "user_id"));
        if (u == null) {
            throw new DiscordError(404, 10013, "Unknown User");
        }
        return u;
    }

    private static long snowflake(Map<String, String> p, String name) {
        String raw = p.get(name);
        long id = DiscordState.parseId(raw);
        if (id < 0 || !raw.matches("\\d+")) {
            throw DiscordError.invalidFormBody(name, "NUMBER_TYPE_COERCE", "Value \"" + raw + "\" is not snowflake.");
        }
        return id;
    }

    private static List<Upload> uploads(RestRequest r) {
        List<Upload> out = new ArrayList<>();
        for (RestRequest.MultipartPart part : r.files()) {
            int index = Integer.parseInt(part.name().substring(6, part.name().length() - 1));
            out.add(new Upload(index, part.filename(), part.contentType(), part.bytes()));
        }
        return out;
    }

    private Reply delete(MessageState m) {
        s.deleteMessage(m);
        return Reply.noContent();
    }

    // ------------------------------------------------------------------------------------------------ commands

    private Reply listCommands(long app, long guildId) {
        ArrayNode out = DiscordJson.NF.arrayNode();
        synchronized (s) {
            s.commands.values().stream().filter(c -> c.guildId() == guildId).forEach(c -> out.add(c.json()));
        }
        return Reply.ok(out);
    }

    private Reply bulkCommands(long app, long guildId, JsonNode body) {
        if (!body.isArray()) {
            throw DiscordError.invalidFormBody("_root", "BASE_TYPE_BAD_TYPE", "Must be an array.");
        }
        ArrayNode out = DiscordJson.NF.arrayNode();
        synchronized (s) {
            Map<Long, RegisteredCommand> kept = new LinkedHashMap<>();
            Set<String> names = new java.util.HashSet<>();
            for (JsonNode c : body) {
                String key = c.path("type").asInt(1) + ":" + c.path("name").asText();
                if (!names.add(key)) {
                    throw DiscordError.invalidFormBody("_root", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                            "Application command names must be unique");
                }
                RegisteredCommand existing = find(guildId, c.path("name").asText(), c.path("type").asInt(1));
                long id = existing != null ? existing.id() : s.nextId();
                RegisteredCommand rc = command(id, guildId, c);
                kept.put(id, rc);
                out.add(rc.json());
            }
            s.commands.values().removeIf(c -> c.guildId() == guildId);
            s.commands.putAll(kept);
            s.changed();
        }
        return Reply.ok(out);
    }

    private Reply upsertCommand(long app, long guildId, JsonNode body) {
        synchronized (s) {
            RegisteredCommand existing = find(guildId, body.path("name").asText(), body.path("type").asInt(1));
            long id = existing != null ? existing.id() : s.nextId();
            RegisteredCommand rc = command(id, guildId, body);
            s.commands.put(id, rc);
            s.changed();
            return new Reply(existing != null ? 200 : 201, rc.json());
        }
    }

    private Reply getCommand(long app, long guildId, long id) {
        return Reply.ok(existingCommand(guildId, id).json());
    }

    private Reply editCommand(long app, long guildId, long id, JsonNode body) {
        synchronized (s) {
            RegisteredCommand old = existingCommand(guildId, id);
            ObjectNode merged = old.json().deepCopy();
            body.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            RegisteredCommand rc = command(id, guildId, merged);
            s.commands.put(id, rc);
            s.changed();
            return Reply.ok(rc.json());
        }
    }

    private Reply deleteCommand(long app, long guildId, long id) {
        synchronized (s) {
            existingCommand(guildId, id);
            s.commands.remove(id);
            s.changed();
        }
        return Reply.noContent();
    }

    private RegisteredCommand existingCommand(long guildId, long id) {
        synchronized (s) {
            RegisteredCommand c = s.commands.get(id);
            if (c == null || c.guildId() != guildId) {
                throw new DiscordError(404, 10063, "Unknown application command");
            }
            return c;
        }
    }

    private RegisteredCommand find(long guildId, String name, int type) {
        return s.commands.values().stream()
                .filter(c -> c.guildId() == guildId && c.name().equals(name) && c.type() == type)
                .findFirst().orElse(null);
    }

    /** The command as Discord returns it: the request plus id, application_id, version and defaults. */
    private RegisteredCommand command(long id, long guildId, JsonNode request) {
        ObjectNode n = request.deepCopy();
        int type = n.path("type").asInt(1);
        n.put("id", DiscordJson.id(id));
        n.put("application_id", DiscordJson.id(s.applicationId));
        n.put("version", DiscordJson.id(s.nextId()));
        n.put("type", type);
        if (!n.hasNonNull("description")) {
            n.put("description", "");
        }
        if (!n.has("default_member_permissions")) {
            n.putNull("default_member_permissions");
        }
        if (guildId != 0) {
            n.put("guild_id", DiscordJson.id(guildId));
        }
        if (!n.hasNonNull("integration_types")) {
            n.putArray("integration_types").add(0);
        }
        if (!n.hasNonNull("contexts")) {
            n.putNull("contexts");
        }
        // Discord answers with integers even where the client sent numeric strings.
        for (String enumList : List.of("contexts", "integration_types")) {
            if (n.get(enumList) instanceof ArrayNode values) {
                ArrayNode ints = n.putArray(enumList);
                values.forEach(v -> ints.add(v.asInt()));
            }
        }
        if (!n.has("nsfw")) {
            n.put("nsfw", false);
        }
        return new RegisteredCommand(id, guildId, n.path("name").asText(), type, n);
    }

    // ------------------------------------------------------------------------------------------------ interactions

    private Reply callback(RestRequest r, long interactionId, String token, JsonNode body) {
        InteractionState i = s.interaction(interactionId, token);
        MessageState message = null;
        int type = body.path("type").asInt(-1);
        JsonNode data = body.path("data");
        JsonNode dataOrEmpty = data.isObject() ? data : DiscordJson.object();
        synchronized (s) {
            if (i.callback != null) {
                throw new DiscordError(400, 40060, "Interaction has already been acknowledged.");
            }
            if (i.ackDeadlinePassed(s.now())) {
                throw DiscordError.unknownInteraction();
            }
            ChannelState channel = s.channels.get(i.channelId);
            boolean messageInteraction = i.type == 2 || i.type == 3 || i.type == 5;
            boolean componentInteraction = i.type == 3 || i.type == 5;
            switch (type) {
                case 4 -> {
                    require(messageInteraction, type, i);
                    message = s.createMessage(channel, i, i.type == 2 ? 20 : 0, dataOrEmpty, uploads(r), INTERACTION_FLAGS);
                    i.originalMessageId = message.id;
                }
                case 5 -> {
                    require(messageInteraction, type, i);
                    boolean ephemeral = (dataOrEmpty.path("flags").asInt(0) & FakeMessage.EPHEMERAL) != 0;
                    message = s.createLoadingMessage(channel, i, i.type == 2 ? 20 : 0, ephemeral);
                    i.originalMessageId = message.id;
                }
                case 6 -> {
                    require(componentInteraction && i.sourceMessageId != 0, type, i);
                    message = s.message(i.sourceMessageId);
                    i.originalMessageId = i.sourceMessageId;
                }
                case 7 -> {
                    require(componentInteraction && i.sourceMessageId != 0, type, i);
                    MessageState source = s.message(i.sourceMessageId);
                    if (source == null) {
                        throw DiscordError.unknownMessage();
                    }
                    message = s.editMessage(source, dataOrEmpty, uploads(r));
                    i.originalMessageId = i.sourceMessageId;
                }
                case 8 -> require(i.type == 4, type, i);
                case 9 -> require(i.type == 2 || i.type == 3, type, i);
                default -> throw DiscordError.invalidFormBody("type", "BASE_TYPE_CHOICES",
                        "Value must be one of {4, 5, 6, 7, 8, 9}.");
            }
            i.callback = new InteractionCallback(type, data);
            s.changed();
        }
        if (!"true".equals(r.queryParam("with_response").orElse("false"))) {
            return Reply.noContent();
        }
        ObjectNode out = DiscordJson.object();
        ObjectNode interaction = out.putObject("interaction");
        interaction.put("id", DiscordJson.id(i.id));
        interaction.put("type", i.type);
        if (message != null) {
            interaction.put("response_message_id", DiscordJson.id(message.id));
            interaction.put("response_message_loading", (message.flags & FakeMessage.LOADING) != 0);
            interaction.put("response_message_ephemeral", (message.flags & FakeMessage.EPHEMERAL) != 0);
        }
        interaction.put("channel_id", DiscordJson.id(i.channelId));
        if (i.guildId != 0) {
            interaction.put("guild_id", DiscordJson.id(i.guildId));
        }
        // Only CHANNEL_MESSAGE_WITH_SOURCE and UPDATE_MESSAGE return a resource (with the message).
        if (message != null && (type == 4 || type == 7)) {
            ObjectNode resource = out.putObject("resource");
            resource.put("type", type);
            resource.set("message", s.messageJson(message));
        }
        return Reply.ok(out);
    }

    private static void require(boolean allowed, int callbackType, InteractionState i) {
        if (!allowed) {
            throw DiscordError.invalidFormBody("type", "INTERACTION_CALLBACK_TYPE_INVALID",
                    "Interaction callback type " + callbackType + " is invalid for interaction type " + i.type + ".");
        }
    }

    private Reply followUp(RestRequest r, long webhookId, String token, JsonNode body) {
        MessageState m;
        synchronized (s) {
            InteractionState i = s.interactionForWebhook(webhookId, token);
            MessageState original = i.originalMessageId == null ? null : s.message(i.originalMessageId);
            if (i.callback.type() == 5 && original != null && (original.flags & FakeMessage.LOADING) != 0) {
                // The first follow-up after a deferred reply fills the "thinking…" message.
                m = s.editMessage(original, body, uploads(r));
            } else {
                ChannelState channel = s.channels.get(i.channelId);
                m = s.createMessage(channel, i, i.type == 2 ? 20 : 0, body, uploads(r), INTERACTION_FLAGS);
                i.followUpIds.add(m.id);
                s.changed();
            }
        }
        return "true".equals(r.queryParam("wait").orElse("false")) ? Reply.ok(s.messageJson(m)) : Reply.noContent();
    }

    private MessageState original(Map<String, String> p) {
        synchronized (s) {
            InteractionState i = s.interactionForWebhook(snowflake(p, "webhook_id"), p.get("webhook_token"));
            MessageState m = i.originalMessageId == null ? null : s.message(i.originalMessageId);
            if (m == null) {
                throw DiscordError.unknownMessage();
            }
            return m;
        }
    }

    private MessageState webhookMessage(Map<String, String> p) {
        synchronized (s) {
            InteractionState i = s.interactionForWebhook(snowflake(p, "webhook_id"), p.get("webhook_token"));
            long id = snowflake(p, "message_id");
            boolean mine = (i.originalMessageId != null && i.originalMessageId == id) || i.followUpIds.contains(id);
            MessageState m = s.message(id);
            if (!mine || m == null) {
                throw DiscordError.unknownMessage();
            }
            return m;
        }
    }

    // ------------------------------------------------------------------------------------------------ channels

    private ChannelState channel(Map<String, String> p) {
        synchronized (s) {
            ChannelState c = s.channels.get(snowflake(p, "channel_id"));
            if (c == null) {
                throw DiscordError.unknownChannel();
            }
            if (c.foreign) {
                throw DiscordError.missingAccess();
            }
            return c;
        }
    }

    private Reply channelMessage(RestRequest r, ChannelState c, JsonNode body) {
        synchronized (s) {
            if (c.type == 1 && s.dmsBlocked.contains(c.recipient.id())) {
                throw new DiscordError(403, 50007, "Cannot send messages to this user");
            }
            int type = body.hasNonNull("message_reference") ? 19 : 0;
            return Reply.ok(s.messageJson(s.createMessage(c, null, type, body, uploads(r), CHANNEL_FLAGS)));
        }
    }

    private MessageState channelMessage(Map<String, String> p) {
        synchronized (s) {
            ChannelState c = channel(p);
            MessageState m = s.message(snowflake(p, "message_id"));
            if (m == null || m.channelId != c.id) {
                throw DiscordError.unknownMessage();
            }
            return m;
        }
    }

    private Reply openDm(JsonNode body) {
        long userId = DiscordState.parseId(body.path("recipient_id").asText());
        FakeUser user = s.user(userId);
        if (user == null) {
            throw DiscordError.invalidFormBody("recipient_id", "USER_NOT_FOUND", "Unknown User");
        }
        return Reply.ok(s.channelJson(s.dmChannelFor(user)));
    }

    // ------------------------------------------------------------------------------------------------ entitlements

    private Reply listEntitlements(long app, RestRequest r) {
        long userId = r.queryParam("user_id").map(DiscordState::parseId).orElse(0L);
        long guildId = r.queryParam("guild_id").map(DiscordState::parseId).orElse(0L);
        Set<Long> skus = r.queryParam("sku_ids").map(v -> java.util.Arrays.stream(v.split(","))
                .map(DiscordState::parseId).collect(Collectors.toSet())).orElse(Set.of());
        boolean excludeEnded = r.queryParam("exclude_ended").map(Boolean::parseBoolean).orElse(false);
        boolean excludeDeleted = r.queryParam("exclude_deleted").map(Boolean::parseBoolean).orElse(true);
        Instant now = s.now();
        ArrayNode out = DiscordJson.NF.arrayNode();
        synchronized (s) {
            for (FakeEntitlement e : s.entitlements) {
                if ((userId != 0 && e.userId() != userId) || (guildId != 0 && e.guildId() != guildId)
                        || (!skus.isEmpty() && !skus.contains(e.skuId())) || (excludeDeleted && e.deleted())
                        || (excludeEnded && e.endsAt() != null && !e.endsAt().isAfter(now))) {
                    continue;
                }
                out.add(DiscordJson.entitlement(e, s.applicationId));
            }
        }
        return Reply.ok(out);
    }

    private Reply createTestEntitlement(long app, JsonNode body) {
        long sku = DiscordState.parseId(body.path("sku_id").asText());
        long owner = DiscordState.parseId(body.path("owner_id").asText());
        int ownerType = body.path("owner_type").asInt();
        FakeEntitlement e = new FakeEntitlement(s.nextId(), sku, ownerType == 2 ? owner : 0, ownerType == 1 ? owner : 0,
                FakeEntitlement.TEST_MODE_PURCHASE, null, null, false);
        synchronized (s) {
            s.entitlements.add(e);
            s.changed();
        }
        ObjectNode json = DiscordJson.entitlement(e, s.applicationId);
        gateway.dispatchTo(0, "ENTITLEMENT_CREATE", json);
        return Reply.ok(json);
    }

    private Reply deleteEntitlement(long app, long id) {
        FakeEntitlement deleted;
        synchronized (s) {
            int index = -1;
            for (int k = 0; k < s.entitlements.size(); k++) {
                if (s.entitlements.get(k).id() == id && !s.entitlements.get(k).deleted()) {
                    index = k;
                }
            }
            if (index < 0) {
                throw new DiscordError(404, 10070, "Unknown entitlement");
            }
            FakeEntitlement e = s.entitlements.get(index);
            deleted = new FakeEntitlement(e.id(), e.skuId(), e.userId(), e.guildId(), e.type(), e.startsAt(),
                    e.endsAt(), true);
            s.entitlements.set(index, deleted);
            s.changed();
        }
        gateway.dispatchTo(0, "ENTITLEMENT_DELETE", DiscordJson.entitlement(deleted, s.applicationId));
        return Reply.noContent();
    }
}
