package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The gateway side of {@link FakeDiscord}: one {@link Session} per WebSocket connection, JSON text frames only
 * (clients must connect without transport compression).
 *
 * <p>Handshake as Discord does it: HELLO on open; IDENTIFY is answered with READY (guilds listed as unavailable)
 * followed by one GUILD_CREATE per guild of the session's shard; every HEARTBEAT gets a HEARTBEAT_ACK. Every
 * dispatch is kept per session id, so a client that reconnects with RESUME gets the events it missed (also those
 * dispatched while it was disconnected) followed by RESUMED; an unknown session id gets INVALID_SESSION (d=false).
 */
final class FakeGateway {
    static final int HEARTBEAT_INTERVAL_MS = 41_250;

    private final DiscordState state;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    /** Identified gateway sessions by session id, oldest first; they outlive their connections. */
    private final Map<String, Resumable> resumables = new java.util.LinkedHashMap<>();
    /** Everything received and sent, in order ({@code "<-"} from the client, {@code "->"} to it). */
    private final List<String> log = new ArrayList<>();
    private volatile String url = "ws://127.0.0.1/gateway";
    /** While true, IDENTIFY and RESUME wait in {@link #held} (a simulated outage). */
    private boolean holding;
    private final List<Runnable> held = new ArrayList<>();

    /** A gateway session (what IDENTIFY creates and RESUME continues): sequence numbers and the event backlog. */
    final class Resumable {
        final String sessionId;
        final int shardId;
        final int shardCount;
        final long intents;
        private int seq;
        private final List<String> backlog = new ArrayList<>();
        private Session live;

        Resumable(String sessionId, int shardId, int shardCount, long intents) {
            this.sessionId = sessionId;
            this.shardId = shardId;
            this.shardCount = shardCount;
            this.intents = intents;
        }

        /** Sends a dispatch now if connected; it stays in the backlog for a RESUME either way. */
        synchronized void dispatch(String type, JsonNode data) {
            ObjectNode frame = DiscordJson.object();
            frame.put("op", 0);
            frame.put("t", type);
            frame.put("s", ++seq);
            frame.set("d", data);
            String text = frame.toString();
            backlog.add(text);
            if (live != null) {
                live.sendText(text);
            }
        }

        /** Attaches a new connection and replays every dispatch after {@code lastSeq}, then RESUMED. */
        synchronized void resume(Session session, int lastSeq) {
            live = session;
            for (int i = Math.max(0, lastSeq); i < backlog.size(); i++) {
                session.sendText(backlog.get(i));
            }
            dispatch("RESUMED", DiscordJson.object());
        }

        synchronized void attach(Session session) {
            live = session;
        }

        synchronized void detach(Session session) {
            if (live == session) {
                live = null;
            }
        }

        synchronized boolean connected() {
            return live != null;
        }
    }

    /** One client connection. */
    final class Session extends WebSocketListener {
        private volatile WebSocket socket;
        private volatile Resumable resumable;
        private volatile int shardId;
        private volatile int shardCount = 1;

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            this.socket = webSocket;
            sessions.add(this);
            ObjectNode hello = DiscordJson.object();
            hello.put("op", 10);
            hello.putObject("d").put("heartbeat_interval", HEARTBEAT_INTERVAL_MS);
            hello.putNull("s");
            hello.putNull("t");
            send(hello);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            record("<- " + text);
            JsonNode payload = DiscordJson.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (payload == null) {
                webSocket.close(4002, "Error while decoding payload.");
                return;
            }
            int op = payload.path("op").asInt(-1);
            JsonNode d = payload.path("d");
            switch (op) {
                case 1 -> { // HEARTBEAT -> HEARTBEAT_ACK
                    ObjectNode ack = DiscordJson.object();
                    ack.put("op", 11);
                    send(ack);
                }
                case 2 -> handshake(() -> identify(d));
                case 6 -> handshake(() -> resume(d));
                case 8 -> requestMembers(d);
                case 3, 4 -> {
                    // presence / voice state updates: accepted, nothing to answer
                }
                default -> webSocket.close(4001, "Unknown opcode.");
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            record("<- (binary, " + bytes.size() + " bytes)");
            webSocket.close(4002, "Error while decoding payload.");
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            record("<- close " + code + " " + reason);
            webSocket.close(code, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            gone();
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            gone();
        }

        private void gone() {
            sessions.remove(this);
            Resumable r = resumable;
            if (r != null) {
                r.detach(this);
            }
            state.changed();
        }

        private void handshake(Runnable step) {
            synchronized (held) {
                if (holding) {
                    held.add(step);
                    return;
                }
            }
            step.run();
        }

        private boolean tokenOk(JsonNode d) {
            String token = d.path("token").asText();
            if (token.startsWith("Bot ")) {
                token = token.substring(4);
            }
            if (!token.equals(state.token)) {
                socket.close(4004, "Authentication failed.");
                return false;
            }
            return true;
        }

        private void resume(JsonNode d) {
            if (!tokenOk(d)) {
                return;
            }
            Resumable r;
            synchronized (resumables) {
                r = resumables.get(d.path("session_id").asText());
            }
            if (r == null) {
                ObjectNode invalid = DiscordJson.object();
                invalid.put("op", 9);
                invalid.put("d", false);
                send(invalid);
                return;
            }
            shardId = r.shardId;
            shardCount = r.shardCount;
            resumable = r;
            r.resume(this, d.path("seq").asInt(0));
            state.changed();
        }

        private void identify(JsonNode d) {
            if (!tokenOk(d)) {
                return;
            }
            JsonNode shard = d.path("shard");
            if (shard.isArray() && shard.size() == 2) {
                shardId = shard.get(0).asInt();
                shardCount = shard.get(1).asInt();
            }
            String sessionId = UUID.randomUUID().toString().replace("-", "");
            Resumable r = new Resumable(sessionId, shardId, shardCount, d.path("intents").asLong());
            r.attach(this);
            resumable = r;
            synchronized (resumables) {
                resumables.put(sessionId, r);
            }

            ObjectNode ready = DiscordJson.object();
            ready.put("v", 10);
            ready.set("user", DiscordJson.selfUser(state.bot));
            ArrayNode guilds = ready.putArray("guilds");
            List<FakeGuild> mine = state.guilds.stream().filter(g -> shardOf(g.id(), shardCount) == shardId).toList();
            mine.forEach(g -> guilds.addObject().put("id", DiscordJson.id(g.id())).put("unavailable", true));
            ready.putArray("private_channels");
            ready.putArray("relationships");
            ready.putArray("presences");
            ready.putArray("guild_join_requests");
            ready.putArray("geo_ordered_rtc_regions").add("local");
            ready.put("session_id", sessionId);
            ready.put("session_type", "normal");
            ready.put("resume_gateway_url", url);
            if (shard.isArray()) {
                ready.putArray("shard").add(shardId).add(shardCount);
            }
            ObjectNode app = ready.putObject("application");
            app.put("id", DiscordJson.id(state.applicationId));
            app.put("flags", 0);
            ready.putArray("_trace").add("[\"fake-discord\",{\"micros\":0}]");
            r.dispatch("READY", ready);
            for (FakeGuild g : mine) {
                r.dispatch("GUILD_CREATE", guildCreate(g));
            }
            state.changed();
        }

        private void requestMembers(JsonNode d) {
            long guildId = DiscordState.parseId(d.path("guild_id").asText());
            ObjectNode chunk = DiscordJson.object();
            chunk.put("guild_id", DiscordJson.id(guildId));
            ArrayNode found = chunk.putArray("members");
            ArrayNode notFound = chunk.putArray("not_found");
            Map<Long, List<Long>> members;
            synchronized (state) {
                members = Map.copyOf(state.members.getOrDefault(guildId, Map.of()));
            }
            if (d.has("user_ids")) {
                JsonNode ids = d.get("user_ids");
                List<JsonNode> wanted = new ArrayList<>();
                if (ids.isArray()) {
                    ids.forEach(wanted::add);
                } else {
                    wanted.add(ids);
                }
                for (JsonNode idNode : wanted) {
                    long id = DiscordState.parseId(idNode.asText());
                    FakeUser u = state.user(id);
                    if (u != null && members.containsKey(id)) {
                        found.add(DiscordJson.member(u, members.get(id), state.joinedAt));
                    } else {
                        notFound.add(DiscordJson.id(id));
                    }
                }
            } else {
                String query = d.path("query").asText("");
                members.forEach((id, roles) -> {
                    FakeUser u = state.user(id);
                    if (u != null && u.username().startsWith(query)) {
                        found.add(DiscordJson.member(u, roles, state.joinedAt));
                    }
                });
            }
            chunk.put("chunk_index", 0);
            chunk.put("chunk_count", 1);
            if (d.has("nonce")) {
                chunk.set("nonce", d.get("nonce"));
            }
            Resumable r = resumable;
            if (r != null) {
                r.dispatch("GUILD_MEMBERS_CHUNK", chunk);
            }
        }

        private void send(ObjectNode frame) {
            sendText(frame.toString());
        }

        synchronized void sendText(String text) {
            record("-> " + text);
            socket.send(text);
        }

        /** Identified (or resumed) and still connected. */
        boolean isReady() {
            Resumable r = resumable;
            return r != null && sessions.contains(this);
        }

        int shardId() {
            return shardId;
        }

        long intents() {
            Resumable r = resumable;
            return r == null ? 0 : r.intents;
        }

        void close(int code, String reason) {
            socket.close(code, reason);
        }
    }

    FakeGateway(DiscordState state) {
        this.state = state;
    }

    void setUrl(String url) {
        this.url = url;
    }

    Session newSession() {
        return new Session();
    }

    List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** Shard of a guild: (guild_id >> 22) % num_shards, with the shard count the client identified with. */
    int shardOf(long guildId) {
        int count;
        synchronized (resumables) {
            count = resumables.values().stream().mapToInt(r -> r.shardCount).max().orElse(1);
        }
        return shardOf(guildId, count);
    }

    static int shardOf(long guildId, int shardCount) {
        return (int) ((guildId >>> 22) % shardCount);
    }

    /**
     * Sends an event to the ready session that owns {@code guildId} (shard 0 for DMs and application events).
     *
     * @throws IllegalStateException when no client has completed the handshake
     */
    void dispatchTo(long guildId, String type, JsonNode data) {
        int shard = guildId == 0 ? 0 : shardOf(guildId);
        Resumable target = null;
        synchronized (resumables) {
            for (Resumable r : resumables.values()) {
                if (r.shardId == shard) {
                    target = r; // the newest session of the shard wins
                }
            }
        }
        if (target == null) {
            throw new IllegalStateException("no gateway session was ever identified for shard " + shard
                    + "; log the bot in first, e.g. FakeDiscord#login");
        }
        target.dispatch(type, data);
    }

    /** Whether some session was identified (events can be dispatched, maybe for a later RESUME). */
    boolean hasSession() {
        synchronized (resumables) {
            return !resumables.isEmpty();
        }
    }

    /**
     * Closes every live connection with {@code code}, waits until they are gone and holds new handshakes until
     * {@link #release()}: dispatches meanwhile only reach the backlog.
     */
    void beginOutage(int code, Duration timeout) {
        synchronized (held) {
            holding = true;
        }
        List<Session> live = sessions();
        live.forEach(s -> s.close(code, "closed by FakeDiscord"));
        state.await(() -> live.stream().noneMatch(sessions::contains) ? java.util.Optional.of(true)
                : java.util.Optional.empty(), timeout, () -> "gateway connections did not close");
    }

    /** Ends an outage: held IDENTIFY/RESUME payloads are processed in arrival order. */
    void release() {
        List<Runnable> steps;
        synchronized (held) {
            holding = false;
            steps = new ArrayList<>(held);
            held.clear();
        }
        steps.forEach(Runnable::run);
    }

    /** Waits until {@code count} sessions are ready (one per shard). */
    void awaitReady(int count, Duration timeout) {
        state.await(() -> sessions.stream().filter(Session::isReady).count() >= count
                        ? java.util.Optional.of(true) : java.util.Optional.empty(), timeout,
                () -> "expected " + count + " ready gateway session(s), have "
                        + sessions.stream().filter(Session::isReady).count());
    }

    synchronized List<String> log() {
        return List.copyOf(log);
    }

    private synchronized void record(String line) {
        log.add(line);
    }

    /** GUILD_CREATE for one guild: GuildResponse fields plus the gateway-only ones JDA reads. */
    ObjectNode guildCreate(FakeGuild g) {
        ObjectNode n = DiscordJson.object();
        n.put("id", DiscordJson.id(g.id()));
        n.put("name", g.name());
        n.putNull("icon");
        n.putNull("description");
        n.putNull("home_header");
        n.putNull("splash");
        n.putNull("discovery_splash");
        n.putArray("features");
        n.putNull("banner");
        n.put("owner_id", DiscordJson.id(g.ownerId()));
        n.putNull("application_id");
        n.put("region", "deprecated");
        n.putNull("afk_channel_id");
        n.put("afk_timeout", 300);
        n.put("system_channel_id", DiscordJson.id(g.textChannelId()));
        n.put("system_channel_flags", 0);
        n.put("widget_enabled", false);
        n.putNull("widget_channel_id");
        n.put("verification_level", 0);
        ArrayNode roles = n.putArray("roles");
        roles.add(DiscordJson.role(g.id(), "@everyone", MemberSpec.MEMBER_PERMISSIONS, 0, null));
        roles.add(DiscordJson.role(g.memberRoleId(), "Member", MemberSpec.MEMBER_PERMISSIONS, 1, null));
        roles.add(DiscordJson.role(g.adminRoleId(), "Admin", MemberSpec.ADMINISTRATOR, 2, null));
        roles.add(DiscordJson.role(g.botRoleId(), state.bot.username(), FakeDiscord.BOT_PERMISSIONS, 3, state.bot.id()));
        n.put("default_message_notifications", 0);
        n.put("mfa_level", 0);
        n.put("explicit_content_filter", 0);
        n.putNull("max_presences");
        n.put("max_members", 500_000);
        n.put("max_stage_video_channel_users", 50);
        n.put("max_video_channel_users", 25);
        n.putNull("vanity_url_code");
        n.put("premium_tier", 0);
        n.put("premium_subscription_count", 0);
        n.put("preferred_locale", "en-US");
        n.putNull("rules_channel_id");
        n.putNull("safety_alerts_channel_id");
        n.putNull("public_updates_channel_id");
        n.put("premium_progress_bar_enabled", false);
        n.put("nsfw", false);
        n.put("nsfw_level", 0);
        n.putArray("emojis");
        n.putArray("stickers");
        n.putNull("incidents_data");
        // gateway-only fields
        n.put("joined_at", DiscordJson.timestamp(state.joinedAt));
        n.put("large", false);
        n.put("unavailable", false);
        ArrayNode members = n.putArray("members");
        Map<Long, List<Long>> guildMembers;
        synchronized (state) {
            guildMembers = Map.copyOf(state.members.getOrDefault(g.id(), Map.of()));
        }
        guildMembers.forEach((userId, roleIds) -> members.add(DiscordJson.member(state.user(userId), roleIds, state.joinedAt)));
        n.put("member_count", guildMembers.size());
        ArrayNode channels = n.putArray("channels");
        channels.add(DiscordJson.textChannel(g.textChannelId(), g.id(), "general", 0));
        n.putArray("threads");
        n.putArray("voice_states");
        n.putArray("presences");
        n.putArray("stage_instances");
        n.putArray("guild_scheduled_events");
        n.putArray("soundboard_sounds");
        n.putArray("embedded_activities");
        n.put("lazy", true);
        return n;
    }
}
