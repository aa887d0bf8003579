package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The stand-in's in-memory Discord: users, guilds, channels, messages, interactions, commands, entitlements.
 * Every field is guarded by {@code this}; every change calls {@link #changed()} so that waiters wake up.
 */
final class DiscordState {
    /** Discord: an interaction must be answered within 3 s; its token then lives 15 min. */
    static final Duration ACK_DEADLINE = Duration.ofSeconds(3);
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

    final Clock clock;
    final long applicationId;
    final FakeUser bot;
    final String token;
    final List<FakeGuild> guilds;
    final Map<Long, FakeUser> users = new LinkedHashMap<>();
    /** guild id -> user id -> role ids, the members announced in GUILD_CREATE. */
    final Map<Long, Map<Long, List<Long>>> members = new LinkedHashMap<>();
    final Map<Long, ChannelState> channels = new LinkedHashMap<>();
    final Map<Long, Long> dmChannelByUser = new HashMap<>();
    final Set<Long> dmsBlocked = new HashSet<>();
    final Map<Long, MessageState> messages = new LinkedHashMap<>();
    final Map<Long, InteractionState> interactions = new LinkedHashMap<>();
    final Map<String, InteractionState> interactionsByToken = new HashMap<>();
    final Map<Long, RegisteredCommand> commands = new LinkedHashMap<>();
    final List<FakeEntitlement> entitlements = new ArrayList<>();
    final Map<String, byte[]> cdn = new HashMap<>();
    final List<Violation> violations = new ArrayList<>();
    /** "METHOD template" -> remaining 429 answers and their Retry-After seconds. */
    final Map<String, int[]> rateLimits = new HashMap<>();
    final Instant joinedAt;
    volatile long attachmentSizeLimit;
    volatile String cdnBase = "http://127.0.0.1";

    private final Snowflakes snowflakes;

    /** Mutable channel record. */
    static final class ChannelState {
        final long id;
        final int type;
        final long guildId;
        final String name;
        final FakeUser recipient;
        /** A DM between two users (user-installed app): the bot may not post there. */
        final boolean foreign;
        Long lastMessageId;

        ChannelState(long id, int type, long guildId, String name, FakeUser recipient, boolean foreign) {
            this.id = id;
            this.type = type;
            this.guildId = guildId;
            this.name = name;
            this.recipient = recipient;
            this.foreign = foreign;
        }
    }

    /** Mutable message record; {@link #history} keeps a snapshot per version. */
    static final class MessageState {
        final long id;
        final long channelId;
        final long guildId;
        final Instant createdAt;
        final InteractionState interaction;
        int type;
        String content = "";
        int flags;
        ArrayNode components = DiscordJson.NF.arrayNode();
        ArrayNode embeds = DiscordJson.NF.arrayNode();
        List<FakeAttachment> attachments = new ArrayList<>();
        Instant editedAt;
        boolean deleted;
        final List<FakeMessage> history = new ArrayList<>();

        MessageState(long id, long channelId, long guildId, Instant createdAt, InteractionState interaction) {
            this.id = id;
            this.channelId = channelId;
            this.guildId = guildId;
            this.createdAt = createdAt;
            this.interaction = interaction;
        }

        FakeMessage snapshot() {
            return new FakeMessage(id, channelId, guildId, type, content, flags, components.deepCopy(),
                    embeds.deepCopy(), attachments, interaction == null ? 0 : interaction.id, createdAt, editedAt,
                    history.size(), deleted);
        }

        void record() {
            history.add(snapshot());
        }
    }

    /** Mutable interaction record. */
    static final class InteractionState {
        final long id;
        final String token;
        final int type;
        final long guildId;
        final long channelId;
        final FakeUser user;
        final Instant createdAt;
        final ObjectNode payload;
        /** Name of the command (types 2 and 4), else null. */
        final String commandName;
        /** The message carrying the pressed component (type 3), else 0. */
        final long sourceMessageId;
        InteractionCallback callback;
        Long originalMessageId;
        final List<Long> followUpIds = new ArrayList<>();

        InteractionState(long id, String token, int type, long guildId, long channelId, FakeUser user,
                         Instant createdAt, ObjectNode payload, String commandName, long sourceMessageId) {
            this.id = id;
            this.token = token;
            this.type = type;
            this.guildId = guildId;
            this.channelId = channelId;
            this.user = user;
            this.createdAt = createdAt;
            this.payload = payload;
            this.commandName = commandName;
            this.sourceMessageId = sourceMessageId;
        }

        boolean tokenExpired(Instant now) {
            return !now.isBefore(createdAt.plus(TOKEN_LIFETIME));
        }

        boolean ackDeadlinePassed(Instant now) {
            return now.isAfter(createdAt.plus(ACK_DEADLINE));
        }
    }

    /** A Discord error answer: HTTP status, JSON code and message (plus optional {@code errors} tree). */
    static final class DiscordError extends RuntimeException {
        final int status;
        final int code;
        final JsonNode errors;

        DiscordError(int status, int code, String message) {
            this(status, code, message, null);
        }

        DiscordError(int status, int code, String message, JsonNode errors) {
            super(message);
            this.status = status;
            this.code = code;
            this.errors = errors;
        }

        ObjectNode body() {
            ObjectNode n = DiscordJson.error(code, getMessage());
            if (errors != null) {
                n.set("errors", errors);
            }
            return n;
        }

        static DiscordError unknownMessage() {
            return new DiscordError(404, 10008, "Unknown Message");
        }

        static DiscordError unknownChannel() {
            return new DiscordError(404, 10003, "Unknown Channel");
        }

        static DiscordError invalidWebhookToken() {
            return new DiscordError(401, 50027, "Invalid Webhook Token");
        }

        static DiscordError unknownWebhook() {
            return new DiscordError(404, 10015, "Unknown Webhook");
        }

        static DiscordError unknownInteraction() {
            return new DiscordError(404, 10062, "Unknown interaction");
        }

        static DiscordError missingAccess() {
            return new DiscordError(403, 50001, "Missing Access");
        }

        /** 400 50035 with one error at {@code path} (dotted, e.g. "components.0.components.1.custom_id"). */
        static DiscordError invalidFormBody(String path, String errorCode, String message) {
            ObjectNode errors = DiscordJson.object();
            ObjectNode at = errors;
            for (String part : path.split("\\.")) {
                at = at.putObject(part);
            }
            ObjectNode e = at.putArray("_errors").addObject();
            e.put("code", errorCode);
            e.put("message", message);
            return new DiscordError(400, 50035, "Invalid Form Body", errors);
        }
    }

    /** A file part of a multipart upload. */
    record Upload(int index, String filename, String contentType, byte[] bytes) {
    }

    DiscordState(Clock clock, Snowflakes snowflakes, long applicationId, FakeUser bot, String token,
                 List<FakeGuild> guilds, long attachmentSizeLimit) {
        this.clock = clock;
        this.snowflakes = snowflakes;
        this.applicationId = applicationId;
        this.bot = bot;
        this.token = token;
        this.guilds = List.copyOf(guilds);
        this.attachmentSizeLimit = attachmentSizeLimit;
        this.joinedAt = clock.instant().minus(Duration.ofDays(30));
    }

    // ---------------------------------------------------------------------------------------------- ids & time

    Instant now() {
        return clock.instant();
    }

    /** A new snowflake (see {@link Snowflakes}). */
    long nextId() {
        return snowflakes.next();
    }

    synchronized void changed() {
        notifyAll();
    }

    /**
     * Waits until {@code probe} yields a value (evaluated under the state lock).
     *
     * @throws AssertionError after {@code timeout}, with {@code describe}'s text
     */
    synchronized <T> T await(Supplier<Optional<T>> probe, Duration timeout, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + ": " + describe.get());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + describe.get(), e);
            }
        }
    }

    synchronized void addViolations(List<Violation> vs) {
        if (!vs.isEmpty()) {
            violations.addAll(vs);
            notifyAll();
        }
    }

    // ---------------------------------------------------------------------------------------------- lookups

    synchronized FakeGuild guild(long id) {
        return guilds.stream().filter(g -> g.id() == id).findFirst().orElse(null);
    }

    synchronized FakeUser user(long id) {
        return id == bot.id() ? bot : users.get(id);
    }

    synchronized MessageState message(long id) {
        MessageState m = messages.get(id);
        return m == null || m.deleted ? null : m;
    }

    synchronized ChannelState dmChannelFor(FakeUser user) {
        Long id = dmChannelByUser.get(user.id());
        if (id == null) {
            id = nextId();
            channels.put(id, new ChannelState(id, 1, 0, null, user, false));
            dmChannelByUser.put(user.id(), id);
        }
        return channels.get(id);
    }

    synchronized List<FakeEntitlement> entitlementsFor(long userId, long guildId) {
        return entitlements.stream().filter(e -> e.appliesTo(userId, guildId)).toList();
    }

    // ---------------------------------------------------------------------------------------------- interactions

    synchronized InteractionState interaction(long id, String token) {
        InteractionState i = interactions.get(id);
        if (i == null || !i.token.equals(token)) {
            throw DiscordError.unknownInteraction();
        }
        return i;
    }

    /** The interaction behind a webhook token, checked as Discord does for follow-ups and {@code @original}. */
    synchronized InteractionState interactionForWebhook(long webhookId, String token) {
        InteractionState i = interactionsByToken.get(token);
        if (i == null || i.tokenExpired(now())) {
            throw DiscordError.invalidWebhookToken();
        }
        if (webhookId != applicationId || i.callback == null) {
            // Before the initial response there is no webhook to post to.
            throw DiscordError.unknownWebhook();
        }
        return i;
    }

    synchronized void register(InteractionState i) {
        interactions.put(i.id, i);
        interactionsByToken.put(i.token, i);
        changed();
    }

    // ---------------------------------------------------------------------------------------------- messages

    /** Creates a message from a create-message body (content, embeds, components, flags, attachments + files). */
    synchronized MessageState createMessage(ChannelState channel, InteractionState interaction, int type,
                                            JsonNode body, List<Upload> files, int allowedFlags) {
        MessageState m = new MessageState(nextId(), channel.id, channel.guildId, now(), interaction);
        m.type = type;
        applyBody(m, body, files, true);
        m.flags = body.path("flags").asInt(0) & allowedFlags;
        if (m.content.isEmpty() && m.embeds.isEmpty() && m.components.isEmpty() && m.attachments.isEmpty()) {
            throw new DiscordError(400, 50006, "Cannot send an empty message");
        }
        messages.put(m.id, m);
        channel.lastMessageId = m.id;
        m.record();
        changed();
        return m;
    }

    /** The "thinking…" message of a type-5 deferral. */
    synchronized MessageState createLoadingMessage(ChannelState channel, InteractionState interaction, int type,
                                                   boolean ephemeral) {
        MessageState m = new MessageState(nextId(), channel.id, channel.guildId, now(), interaction);
        m.type = type;
        m.flags = FakeMessage.LOADING | (ephemeral ? FakeMessage.EPHEMERAL : 0);
        messages.put(m.id, m);
        channel.lastMessageId = m.id;
        m.record();
        changed();
        return m;
    }

    /** Applies an edit body; a loading message loses its loading flag (its first real content). */
    synchronized MessageState editMessage(MessageState m, JsonNode body, List<Upload> files) {
        applyBody(m, body, files, false);
        if (body.has("flags") && !body.get("flags").isNull()) {
            // Only SUPPRESS_EMBEDS (4) and IS_COMPONENTS_V2 (32768) can be changed by an edit.
            int mutable = 4 | 32768;
            m.flags = (m.flags & ~mutable) | (body.get("flags").asInt() & mutable);
        }
        m.flags &= ~FakeMessage.LOADING;
        m.editedAt = now();
        m.record();
        changed();
        return m;
    }

    synchronized void deleteMessage(MessageState m) {
        m.deleted = true;
        m.record();
        changed();
    }

    private void applyBody(MessageState m, JsonNode body, List<Upload> files, boolean create) {
        if (body.has("content")) {
            m.content = body.get("content").isNull() ? "" : body.get("content").asText();
        }
        if (body.has("embeds")) {
            ArrayNode embeds = DiscordJson.NF.arrayNode();
            for (JsonNode e : body.path("embeds")) {
                ObjectNode copy = e.deepCopy();
                if (!copy.has("type")) {
                    copy.put("type", "rich");
                }
                embeds.add(copy);
            }
            m.embeds = embeds;
        }
        if (body.has("components")) {
            ArrayNode components = body.get("components").isNull()
                    ? DiscordJson.NF.arrayNode() : (ArrayNode) body.get("components").deepCopy();
            checkUniqueCustomIds(components);
            numberComponents(components, new int[] {0});
            m.components = components;
        }
        m.attachments = attachments(m, body, files, create);
    }

    /** Discord rejects a message whose components repeat a custom_id. */
    private static void checkUniqueCustomIds(ArrayNode components) {
        Map<String, String> seen = new HashMap<>();
        checkUnique(components, "components", seen);
    }

    private static void checkUnique(JsonNode node, String path, Map<String, String> seen) {
        if (node.isObject()) {
            if (node.hasNonNull("custom_id")) {
                String id = node.get("custom_id").asText();
                if (seen.putIfAbsent(id, path) != null) {
                    throw DiscordError.invalidFormBody(path + ".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "Component custom id cannot be duplicated");
                }
            }
            node.properties().forEach(e -> checkUnique(e.getValue(), path + "." + e.getKey(), seen));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkUnique(node.get(i), path + "." + i, seen);
            }
        }
    }

    /** Discord numbers components depth-first from 1 when the sender gave no ids. */
    private static void numberComponents(JsonNode node, int[] next) {
        if (node.isObject() && node.has("type")) {
            ObjectNode o = (ObjectNode) node;
            if (!o.hasNonNull("id")) {
                o.put("id", ++next[0]);
            } else {
                next[0] = Math.max(next[0], o.get("id").asInt());
            }
        }
        if (node.isObject()) {
            for (String key : List.of("components", "accessory", "items")) {
                if (node.has(key)) {
                    JsonNode child = node.get(key);
                    if (child.isArray()) {
                        child.forEach(c -> numberComponents(c, next));
                    } else {
                        numberComponents(child, next);
                    }
                }
            }
        } else if (node.isArray()) {
            node.forEach(c -> numberComponents(c, next));
        }
    }

    /**
     * The attachment list after a create or edit: with an {@code attachments} array, existing attachments survive
     * only if listed by id and new files are described by placeholder ids; without it, an edit keeps all existing
     * attachments and every new file is appended.
     */
    private List<FakeAttachment> attachments(MessageState m, JsonNode body, List<Upload> files, boolean create) {
        Map<Integer, Upload> byIndex = new LinkedHashMap<>();
        files.forEach(f -> byIndex.put(f.index(), f));
        List<FakeAttachment> out = new ArrayList<>();
        JsonNode listed = body.get("attachments");
        if (listed == null || listed.isNull()) {
            if (!create) {
                out.addAll(m.attachments);
            }
            for (Upload u : byIndex.values()) {
                out.add(store(m, u, null, null));
            }
            return out;
        }
        for (int i = 0; i < listed.size(); i++) {
            JsonNode a = listed.get(i);
            JsonNode idNode = a.path("id");
            Upload upload = null;
            if (idNode.isIntegralNumber() || (idNode.isTextual() && idNode.asText().matches("\\d{1,2}"))) {
                upload = byIndex.remove(idNode.asInt());
            }
            if (upload != null) {
                out.add(store(m, upload, text(a, "filename"), text(a, "description")));
                continue;
            }
            long existingId = parseId(idNode.asText());
            FakeAttachment existing = m.attachments.stream().filter(x -> x.id() == existingId).findFirst().orElse(null);
            if (existing == null) {
                throw DiscordError.invalidFormBody("attachments." + i + ".id", "ATTACHMENT_NOT_FOUND",
                        "No file part files[" + idNode.asText() + "] and no existing attachment with this id");
            }
            out.add(existing);
        }
        for (Upload u : byIndex.values()) {
            out.add(store(m, u, null, null));
        }
        return out;
    }

    private FakeAttachment store(MessageState m, Upload u, String filename, String description) {
        long id = nextId();
        String name = filename != null ? filename : u.filename() != null ? u.filename() : "file" + u.index();
        String url = cdnBase + "/attachments/" + m.channelId + "/" + id + "/" + name;
        int[] size = imageSize(u.bytes());
        // Discord derives the type from the file, not from the part header (JDA sends application/octet-stream).
        String type = u.contentType() != null && !u.contentType().startsWith("application/octet-stream")
                ? u.contentType() : sniffType(u.bytes(), name);
        FakeAttachment a = new FakeAttachment(id, name, type, description, size == null ? null : size[0],
                size == null ? null : size[1], url, u.bytes());
        cdn.put("/attachments/" + m.channelId + "/" + id + "/" + name, u.bytes());
        return a;
    }

    /** Stores a file a user "uploaded" for an attachment option; returns its CDN url. */
    synchronized FakeAttachment storeUserUpload(long channelId, String filename, String contentType, byte[] bytes) {
        long id = nextId();
        String url = cdnBase + "/attachments/" + channelId + "/" + id + "/" + filename;
        int[] size = imageSize(bytes);
        FakeAttachment a = new FakeAttachment(id, filename, contentType != null ? contentType : guessType(filename),
                null, size == null ? null : size[0], size == null ? null : size[1], url, bytes);
        cdn.put("/attachments/" + channelId + "/" + id + "/" + filename, bytes);
        return a;
    }

    /** Width and height from a PNG IHDR chunk (bytes 16–23, big-endian), or null for other data. */
    static int[] imageSize(byte[] b) {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        if (b.length < 24) {
            return null;
        }
        for (int i = 0; i < png.length; i++) {
            if (b[i] != png[i]) {
                return null;
            }
        }
        int w = ((b[16] & 0xff) << 24) | ((b[17] & 0xff) << 16) | ((b[18] & 0xff) << 8) | (b[19] & 0xff);
        int h = ((b[20] & 0xff) << 24) | ((b[21] & 0xff) << 16) | ((b[22] & 0xff) << 8) | (b[23] & 0xff);
        return new int[] {w, h};
    }

    /** The media type from magic bytes (PNG, JPEG, GIF, WebP), else from the file name. */
    static String sniffType(byte[] b, String filename) {
        if (imageSize(b) != null) {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "image/gif";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        String byName = guessType(filename);
        return byName.startsWith("image/") ? "application/octet-stream" : byName;
    }

    static String guessType(String filename) {
        String f = filename.toLowerCase(Locale.ROOT);
        if (f.endsWith(".png")) {
            return "image/png";
        }
        if (f.endsWith(".jpg") || f.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (f.endsWith(".webp")) {
            return "image/webp";
        }
        if (f.endsWith(".gif")) {
            return "image/gif";
        }
        if (f.endsWith(".txt")) {
            return "text/plain; charset=utf-8";
        }
        if (f.endsWith(".json")) {
            return "application/json; charset=utf-8";
        }
        return "application/octet-stream";
    }

    // ---------------------------------------------------------------------------------------------- JSON views

    /** A message as Discord returns it (MessageResponse). */
    synchronized ObjectNode messageJson(MessageState m) {
        ObjectNode n = DiscordJson.object();
        n.put("type", m.type);
        n.put("content", m.content);
        n.putArray("mentions");
        n.putArray("mention_roles");
        ArrayNode atts = n.putArray("attachments");
        boolean ephemeral = (m.flags & FakeMessage.EPHEMERAL) != 0;
        m.attachments.forEach(a -> atts.add(DiscordJson.attachment(a, ephemeral)));
        n.set("embeds", m.embeds.deepCopy());
        n.put("timestamp", DiscordJson.timestamp(m.createdAt));
        if (m.editedAt == null) {
            n.putNull("edited_timestamp");
        } else {
            n.put("edited_timestamp", DiscordJson.timestamp(m.editedAt));
        }
        n.put("flags", m.flags);
        n.set("components", m.components.deepCopy());
        n.put("id", DiscordJson.id(m.id));
        n.put("channel_id", DiscordJson.id(m.channelId));
        n.set("author", DiscordJson.user(bot));
        n.put("pinned", false);
        n.put("mention_everyone", false);
        n.put("tts", false);
        InteractionState i = m.interaction;
        if (i != null) {
            n.put("application_id", DiscordJson.id(applicationId));
            n.put("webhook_id", DiscordJson.id(applicationId));
            ObjectNode meta = n.putObject("interaction_metadata");
            meta.put("id", DiscordJson.id(i.id));
            meta.put("type", i.type);
            meta.set("user", DiscordJson.user(i.user));
            meta.set("authorizing_integration_owners", i.payload.get("authorizing_integration_owners").deepCopy());
            if (i.originalMessageId != null && i.originalMessageId != m.id) {
                meta.put("original_response_message_id", DiscordJson.id(i.originalMessageId));
            }
            if (i.type == 3) {
                meta.put("interacted_message_id", DiscordJson.id(i.sourceMessageId));
            }
        }
        return n;
    }

    synchronized ObjectNode channelJson(ChannelState c) {
        if (c.type == 1) {
            return DiscordJson.dmChannel(c.id, c.recipient, c.lastMessageId);
        }
        ObjectNode n = DiscordJson.textChannel(c.id, c.guildId, c.name, 0);
        if (c.lastMessageId != null) {
            n.put("last_message_id", DiscordJson.id(c.lastMessageId));
        }
        return n;
    }

    static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    static long parseId(String s) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
