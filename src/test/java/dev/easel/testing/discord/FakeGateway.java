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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway side of {@link FakeDiscord}: one {@link Session} per WebSocket connection, JSON text frames only
 * (clients must connect without transport compression).
 *
 * <p>Handshake as Discord does it: HELLO on open; IDENTIFY is answered with READY (guilds listed as unavailable)
 * followed by one GUILD_CREATE per guild of the session's shard; every HEARTBEAT gets a HEARTBEAT_ACK. RESUME is
 * answered with INVALID_SESSION (d=false) because the stand-in keeps no event backlog, so clients identify anew.
 */
final class FakeGateway {
    static final int HEARTBEAT_INTERVAL_MS = 41_250;

    private final DiscordState state;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    /** Everything received and sent, in order ({@code "<-"} from the client, {@code "->"} to it). */
    private final List<String> log = new ArrayList<>();
    private volatile String url = "ws://127.0.0.1/gateway";

    /** One client connection. */
    final class Session extends WebSocketListener {
        private final AtomicInteger seq = new AtomicInteger();
        private volatile WebSocket socket;
        private volatile boolean ready;
        private volatile int shardId;
        private volatile int shardCount = 1;
        private volatile String sessionId;
        private volatile long intents;
        private final AtomicInteger heartbeats = new AtomicInteger();

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
                    heartbeats.incrementAndGet();
                    ObjectNode ack = DiscordJson.object();
                    ack.put("op", 11);
                    send(ack);
                }
                case 2 -> identify(d);
                case 6 -> { // RESUME: no backlog kept, the session cannot be resumed
                    ObjectNode invalid = DiscordJson.object();
                    invalid.put("op", 9);
                    invalid.put("d", false);
                    send(invalid);
                }
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
            sessions.remove(this);
            state.changed();
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            sessions.remove(this);
            state.changed();
        }

        private void identify(JsonNode d) {
            String token = d.path("token").asText();
            if (token.startsWith("Bot ")) {
                token = token.substring(4);
            }
            if (!token.equals(state.token)) {
                socket.close(4004, "Authentication failed.");
                return;
            }
            JsonNode shard = d.path("shard");
            if (shard.isArray() && shard.size() == 2) {
                shardId = shard.get(0).asInt();
                shardCount = shard.get(1).asInt();
            }
            intents = d.path("intents").asLong();
            sessionId = UUID.randomUUID().toString().replace("-", "");

            ObjectNode ready = DiscordJson.object();
            ready.put("v", 10);
            ready.set("user", DiscordJson.selfUser(state.bot));
            ArrayNode guilds = ready.putArray("guilds");
            List<FakeGuild> mine = state.guilds.stream().filter(g -> shardOf(g.id()) == shardId).toList();
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
            dispatch("READY", ready);
            for (FakeGuild g : mine) {
                dispatch("GUILD_CREATE", guildCreate(g));
            }
            this.ready = true;
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
            dispatch("GUILD_MEMBERS_CHUNK", chunk);
        }

        synchronized void dispatch(String type, JsonNode data) {
            ObjectNode frame = DiscordJson.object();
            frame.put("op", 0);
            frame.put("t", type);
            frame.put("s", seq.incrementAndGet());
            frame.set("d", data);
            send(frame);
        }

        private synchronized void send(ObjectNode frame) {
            String text = frame.toString();
            record("-> " + text);
            socket.send(text);
        }

        boolean isReady() {
            return ready;
        }

        int shardId() {
            return shardId;
        }

        int shardCount() {
            return shardCount;
        }

        long intents() {
            return intents;
        }

        int heartbeats() {
            return heartbeats.get();
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

    /** Shard of a guild: (guild_id >> 22) % num_shards, with the shard count of the connected sessions. */
    int shardOf(long guildId) {
        int count = sessions.stream().mapToInt(s -> s.shardCount).max().orElse(1);
        return (int) ((guildId >>> 22) % count);
    }

    /**
     * Sends an event to the ready session that owns {@code guildId} (shard 0 for DMs and application events).
     *
     * @throws IllegalStateException when no client has completed the handshake
     */
    void dispatchTo(long guildId, String type, JsonNode data) {
        int shard = guildId == 0 ? 0 : shardOf(guildId);
        for (Session s : sessions) {
            if (s.isReady() && s.shardId() == shard) {
                s.dispatch(type, data);
                return;
            }
        }
        throw new IllegalStateException("no gateway session is connected and ready for shard " + shard
                + " (sessions: " + sessions.size() + "); log the bot in first, e.g. FakeDiscord#login");
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
        log.add(line.length() > 2000 ? line.substring(0, 2000) + "…" : line);
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
