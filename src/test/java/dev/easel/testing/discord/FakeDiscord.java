package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.testing.discord.DiscordState.ChannelState;
import dev.easel.testing.discord.DiscordState.DiscordError;
import dev.easel.testing.discord.DiscordState.InteractionState;
import dev.easel.testing.discord.DiscordState.MessageState;
import dev.easel.testing.discord.FakeRestApi.Reply;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MultipartReader;
import okio.Buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in Discord on 127.0.0.1 for end-to-end tests with the real JDA client: REST under {@code /api/v10/} and
 * the gateway WebSocket at {@code /gateway} on one {@link MockWebServer}.
 *
 * <pre>{@code
 * try (FakeDiscord discord = FakeDiscord.start()) {
 *     JDA jda = discord.login(new MyListener());          // READY + GUILD_CREATE, awaits ReadyEvent
 *     FakeInteraction i = discord.slashCommand("imagine").option("prompt", "a lighthouse").send();
 *     i.awaitCallback(Duration.ofSeconds(3));            // the bot's initial response
 *     discord.assertNoViolations();                       // every REST request matched Discord's OpenAPI spec
 * }
 * }</pre>
 *
 * <p>Fixtures: one application whose bot user has the application's id; guilds (default one, "Easel Test Guild")
 * with a text channel {@code #general}, roles {@code @everyone}, Member, Admin and the bot's managed role (all with
 * the {@code colors} object), and members owner, bot and the default user "alice". Every REST request is parsed
 * (JSON or multipart with {@code files[n]} and {@code payload_json}), logged ({@link #requests()}), checked against
 * the OpenAPI description ({@link #violations()}; an invalid body is answered 400/50035 as Discord would) and then
 * served from in-memory state. The stand-in's own JSON answers are checked against the description's response
 * schemas as well, so a broken fixture shows up as a {@link Violation.Kind#FAKE_RESPONSE} violation.
 */
public final class FakeDiscord implements AutoCloseable {
    /** Permissions of the bot's role: view, send, embed links, attach files, read history, external emojis, send in threads. */
    public static final long BOT_PERMISSIONS = (1L << 10) | (1L << 11) | (1L << 14) | (1L << 15) | (1L << 16)
            | (1L << 18) | (1L << 38);
    /** Permissions the app has in DMs (Discord reports a fixed set there). */
    static final long DM_APP_PERMISSIONS = (1L << 10) | (1L << 11) | (1L << 14) | (1L << 15) | (1L << 16) | (1L << 18);
    public static final String DEFAULT_TOKEN = "fake-discord-bot-token";
    /** Discord's default upload limit per file: 10 MiB. */
    public static final long DEFAULT_ATTACHMENT_SIZE_LIMIT = 10L * 1024 * 1024;
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern DISPOSITION_NAME = Pattern.compile("name=\"([^\"]*)\"");
    private static final Pattern DISPOSITION_FILENAME = Pattern.compile("filename=\"([^\"]*)\"");

    private final MockWebServer server = new MockWebServer();
    private final DiscordState state;
    private final FakeGateway gateway;
    private final FakeRestApi rest;
    private final OpenApiValidator validator;
    private final RestLog restLog = new RestLog();
    private final List<JDA> clients = new CopyOnWriteArrayList<>();
    private final List<ShardManager> shardManagers = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private final FakeUser owner;
    private final FakeUser defaultUser;
    private final String restBaseUrl;
    private final String gatewayUrl;

    /** Options for {@link FakeDiscord}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private String token = DEFAULT_TOKEN;
        private long attachmentSizeLimit = DEFAULT_ATTACHMENT_SIZE_LIMIT;
        private final List<String> guildNames = new ArrayList<>();
        private int recommendedShards = 1;
        private String botName = "Easel";

        private Builder() {
        }

        /** Clock for deadlines, timestamps and snowflakes (see {@link FakeClock}); default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Largest accepted file in bytes, reported as {@code attachment_size_limit} in interactions. */
        public Builder attachmentSizeLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("attachment size limit must be positive, got " + bytes);
            }
            this.attachmentSizeLimit = bytes;
            return this;
        }

        /** Adds a guild (call several times for several guilds); default one guild "Easel Test Guild". */
        public Builder guild(String name) {
            guildNames.add(name);
            return this;
        }

        /** Shard count {@code GET /gateway/bot} recommends (used by JDA's ShardManager); default 1. */
        public Builder recommendedShards(int shards) {
            if (shards < 1) {
                throw new IllegalArgumentException("shards must be >= 1, got " + shards);
            }
            this.recommendedShards = shards;
            return this;
        }

        /** The bot's user name (default "Easel"). */
        public Builder botName(String name) {
            this.botName = name;
            return this;
        }

        public FakeDiscord start() {
            return new FakeDiscord(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a stand-in with defaults (one guild, system clock, 10 MiB uploads). */
    public static FakeDiscord start() {
        return builder().start();
    }

    private FakeDiscord(Builder b) {
        this.validator = OpenApiValidator.shared();
        Snowflakes ids = new Snowflakes(b.clock);
        long appId = ids.next();
        FakeUser bot = new FakeUser(appId, b.botName.toLowerCase(Locale.ROOT), b.botName, true);
        List<String> names = b.guildNames.isEmpty() ? List.of("Easel Test Guild") : b.guildNames;
        this.owner = new FakeUser(ids.next(), "owner", "Guild Owner", false);
        this.defaultUser = new FakeUser(ids.next(), "alice", "Alice", false);
        List<FakeGuild> guilds = new ArrayList<>();
        // Guilds were "created" a while ago, one millisecond apart, so that consecutive guilds fall on
        // different shards: shard = (guild_id >> 22) % shards, and (guild_id >> 22) is the creation millisecond.
        long createdMs = b.clock.millis() - 86_400_000L;
        for (int k = 0; k < names.size(); k++) {
            guilds.add(new FakeGuild(Snowflakes.at(createdMs + k, 0), names.get(k), ids.next(), ids.next(), ids.next(),
                    ids.next(), owner.id()));
        }
        this.state = new DiscordState(b.clock, ids, appId, bot, b.token, guilds, b.attachmentSizeLimit);
        state.users.put(owner.id(), owner);
        state.users.put(defaultUser.id(), defaultUser);
        for (FakeGuild g : guilds) {
            Map<Long, List<Long>> m = new LinkedHashMap<>();
            m.put(owner.id(), List.of(g.memberRoleId(), g.adminRoleId()));
            m.put(bot.id(), List.of(g.botRoleId()));
            m.put(defaultUser.id(), List.of(g.memberRoleId()));
            state.members.put(g.id(), m);
            state.channels.put(g.textChannelId(),
                    new ChannelState(g.textChannelId(), 0, g.id(), "general", null, false));
        }
        this.gateway = new FakeGateway(state);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return FakeDiscord.this.dispatch(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the stand-in Discord on 127.0.0.1", e);
        }
        String host = "127.0.0.1:" + server.getPort();
        this.restBaseUrl = "http://" + host + "/api/v10/";
        this.gatewayUrl = "ws://" + host + "/gateway";
        state.cdnBase = "http://" + host;
        gateway.setUrl(gatewayUrl);
        this.rest = new FakeRestApi(state, gateway, gatewayUrl, b.recommendedShards);
    }

    // ================================================================================================ endpoints

    /** REST base URL for {@code RestConfig#setBaseUrl}, e.g. {@code http://127.0.0.1:41234/api/v10/}. */
    public String restBaseUrl() {
        return restBaseUrl;
    }

    /** Gateway URL for a {@code SessionController}, e.g. {@code ws://127.0.0.1:41234/gateway}. */
    public String gatewayUrl() {
        return gatewayUrl;
    }

    /** The bot token the stand-in accepts (REST {@code Authorization: Bot …} and IDENTIFY). */
    public String token() {
        return state.token;
    }

    public long applicationId() {
        return state.applicationId;
    }

    public FakeUser botUser() {
        return state.bot;
    }

    /** Owner of every guild (roles Member and Admin). */
    public FakeUser owner() {
        return owner;
    }

    /** "alice", an ordinary member of every guild and the default invoking user. */
    public FakeUser defaultUser() {
        return defaultUser;
    }

    /** The first guild. */
    public FakeGuild guild() {
        return state.guilds.get(0);
    }

    public List<FakeGuild> guilds() {
        return state.guilds;
    }

    public Clock clock() {
        return state.clock;
    }

    /** Adds a user who is an ordinary member (role Member) of every guild from the next GUILD_CREATE on. */
    public FakeUser addUser(String username) {
        FakeUser u = new FakeUser(state.nextId(), username, null, false);
        synchronized (state) {
            state.users.put(u.id(), u);
            for (FakeGuild g : state.guilds) {
                state.members.get(g.id()).put(u.id(), List.of(g.memberRoleId()));
            }
            state.changed();
        }
        return u;
    }

    // ================================================================================================ JDA

    /**
     * A JDA builder wired to the stand-in: {@code createLight(token)} without privileged intents, REST base URL,
     * gateway URL and plain-JSON frames ({@link Compression#NONE}); no JVM shutdown hook.
     */
    public JDABuilder jdaBuilder() {
        return configure(JDABuilder.createLight(state.token, EnumSet.noneOf(GatewayIntent.class)));
    }

    /** Points an existing builder at the stand-in (REST base URL, gateway URL, no compression, no shutdown hook). */
    public JDABuilder configure(JDABuilder builder) {
        return builder.setRestConfig(new RestConfig().setBaseUrl(restBaseUrl))
                .setSessionController(sessionController())
                .setCompression(Compression.NONE)
                .setEnableShutdownHook(false);
    }

    /**
     * A shard manager builder wired to the stand-in; JDA asks {@code GET /gateway/bot} for the gateway URL and the
     * recommended shard count ({@link Builder#recommendedShards}).
     */
    public DefaultShardManagerBuilder shardManagerBuilder() {
        return DefaultShardManagerBuilder.createLight(state.token, EnumSet.noneOf(GatewayIntent.class))
                .setRestConfig(new RestConfig().setBaseUrl(restBaseUrl))
                .setSessionController(sessionController())
                .setCompression(Compression.NONE)
                .setEnableShutdownHook(false);
    }

    private ConcurrentSessionController sessionController() {
        String url = gatewayUrl;
        return new ConcurrentSessionController() {
            @Override
            public String getGateway() {
                return url;
            }
        };
    }

    /**
     * Builds JDA from {@link #jdaBuilder()} with {@code listeners}, waits (10 s at most) for its ReadyEvent and
     * remembers it so that {@link #close()} shuts it down.
     */
    public JDA login(Object... listeners) {
        return login(jdaBuilder().addEventListeners(listeners));
    }

    /** Builds {@code builder} (which must point at the stand-in), waits for READY and remembers the client. */
    public JDA login(JDABuilder builder) {
        JDA jda = builder.build();
        clients.add(jda);
        try {
            CompletableFuture.runAsync(() -> {
                try {
                    jda.awaitReady();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }).get(LOGIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            jda.shutdownNow();
            throw new AssertionError("JDA did not become ready within " + LOGIN_TIMEOUT + " (status "
                    + jda.getStatus() + "); gateway log:\n  " + String.join("\n  ", gateway.log()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during login", e);
        }
        return jda;
    }

    /**
     * Builds a shard manager from {@link #shardManagerBuilder()} with {@code listeners}, waits (10 s at most) until
     * every recommended shard is connected and remembers it so that {@link #close()} shuts it down.
     */
    public ShardManager loginSharded(Object... listeners) {
        ShardManager manager = shardManagerBuilder().addEventListeners(listeners).build();
        shardManagers.add(manager);
        long deadline = System.nanoTime() + LOGIN_TIMEOUT.toNanos();
        while (!(manager.getShards().size() == manager.getShardsTotal()
                && manager.getShards().stream().allMatch(j -> j.getStatus() == JDA.Status.CONNECTED))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("shards not connected within " + LOGIN_TIMEOUT + ": " + manager.getStatuses());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted during login", e);
            }
        }
        return manager;
    }

    // ================================================================================================ interactions

    /** A slash-command interaction to describe and {@link InteractionBuilder#send() send}. */
    public InteractionBuilder slashCommand(String commandName) {
        return new InteractionBuilder(this, commandName, false);
    }

    /** An autocomplete interaction (type 4); mark the typed option with {@link InteractionBuilder#focused}. */
    public InteractionBuilder autocomplete(String commandName) {
        return new InteractionBuilder(this, commandName, true);
    }

    /** One option for {@link #sendSlashCommand}. */
    public record Option(String name, Object value) {
    }

    public static Option option(String name, Object value) {
        return new Option(name, value);
    }

    /** Sends a slash command in a guild channel, invoked by {@code user} with the given roles and permissions. */
    public FakeInteraction sendSlashCommand(long guildId, long channelId, FakeUser user, MemberSpec member,
                                            String commandName, Option... options) {
        FakeGuild g = state.guild(guildId);
        if (g == null) {
            throw new IllegalArgumentException("unknown guild " + guildId + "; guilds: " + state.guilds);
        }
        InteractionBuilder b = slashCommand(commandName).inChannel(g, channelId).user(user).member(member);
        for (Option o : options) {
            b.option(o.name(), o.value());
        }
        return b.send();
    }

    /** {@code user} presses the button {@code customId} of message {@code messageId} (as an ordinary member in guilds). */
    public FakeInteraction pressButton(long messageId, String customId, FakeUser user) {
        return pressButton(messageId, customId, user, null);
    }

    /** As {@link #pressButton(long, String, FakeUser)} with the member's roles and permissions. */
    public FakeInteraction pressButton(long messageId, String customId, FakeUser user, MemberSpec member) {
        MessageState source;
        ObjectNode messageJson;
        ChannelState channel;
        synchronized (state) {
            source = state.message(messageId);
            if (source == null) {
                throw new IllegalArgumentException("no message " + messageId + " to press a button on");
            }
            JsonNode button = findButton(source.components, customId);
            if (button == null) {
                throw new IllegalArgumentException("message " + messageId + " has no button with custom_id '"
                        + customId + "'; it has " + source.snapshot().customIds());
            }
            if (button.path("disabled").asBoolean(false)) {
                throw new IllegalStateException("button '" + customId + "' of message " + messageId + " is disabled");
            }
            if ((source.flags & FakeMessage.EPHEMERAL) != 0 && source.interaction != null
                    && source.interaction.user.id() != user.id()) {
                throw new IllegalStateException("message " + messageId + " is ephemeral: only "
                        + source.interaction.user.username() + " can see and press its buttons");
            }
            messageJson = state.messageJson(source);
            channel = state.channels.get(source.channelId);
        }
        InteractionBuilder.Place place = channel.type == 0 ? InteractionBuilder.Place.GUILD
                : channel.foreign ? InteractionBuilder.Place.PRIVATE_CHANNEL : InteractionBuilder.Place.BOT_DM;
        if (place == InteractionBuilder.Place.BOT_DM && channel.recipient.id() != user.id()) {
            throw new IllegalStateException("message " + messageId + " is in " + channel.recipient.username()
                    + "'s DM with the bot; " + user.username() + " cannot press its buttons");
        }
        FakeGuild guild = channel.type == 0 ? state.guild(channel.guildId) : null;
        MemberSpec spec = member != null ? member : guild != null ? MemberSpec.member(guild) : null;
        long id = state.nextId();
        String token = newToken(id);
        ObjectNode d = basePayload(3, id, token, place, guild, channel.id, user, spec, "en-US");
        ObjectNode data = d.putObject("data");
        data.put("custom_id", customId);
        data.put("component_type", 2);
        data.put("id", findButton(messageJson.path("components"), customId).path("id").asInt());
        d.set("message", messageJson);
        InteractionState i = new InteractionState(id, token, 3, guild == null ? 0 : guild.id(), channel.id, user,
                state.now(), d, null, messageId);
        return dispatchInteraction(i);
    }

    private static JsonNode findButton(JsonNode node, String customId) {
        if (node.isObject() && node.path("type").asInt() == 2 && customId.equals(node.path("custom_id").asText(null))) {
            return node;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                JsonNode found = findButton(child, customId);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Builds and dispatches a command or autocomplete interaction (called by {@link InteractionBuilder#send()}). */
    FakeInteraction send(InteractionBuilder b) {
        FakeUser user = b.user != null ? b.user : defaultUser;
        FakeGuild guild = b.place == InteractionBuilder.Place.GUILD ? (b.guild != null ? b.guild : guild()) : null;
        long channelId;
        switch (b.place) {
            case GUILD -> {
                channelId = b.guild != null ? b.channelId : guild.textChannelId();
                ChannelState c = state.channels.get(channelId);
                if (c == null || c.guildId != guild.id()) {
                    throw new IllegalArgumentException("channel " + channelId + " is not a channel of guild "
                            + guild.name() + " (its text channel is " + guild.textChannelId() + ")");
                }
            }
            case BOT_DM -> channelId = state.dmChannelFor(user).id;
            case PRIVATE_CHANNEL -> {
                channelId = state.nextId();
                synchronized (state) {
                    state.channels.put(channelId, new ChannelState(channelId, 1, 0, null, user, true));
                }
            }
            default -> throw new IllegalStateException(b.place.toString());
        }
        RegisteredCommand command = findCommand(b.commandName, guild);
        checkContext(command, b.place);
        MemberSpec spec = b.member != null ? b.member : guild != null ? MemberSpec.member(guild) : null;

        long id = state.nextId();
        String token = newToken(id);
        int type = b.autocomplete ? 4 : 2;
        ObjectNode d = basePayload(type, id, token, b.place, guild, channelId, user, spec, b.locale);
        ObjectNode data = d.putObject("data");
        data.put("id", DiscordJson.id(command.id()));
        data.put("name", command.name());
        data.put("type", 1);
        if (command.guildId() != 0) {
            data.put("guild_id", DiscordJson.id(command.guildId()));
        }
        ObjectNode resolved = DiscordJson.object();
        ArrayNode options = DiscordJson.NF.arrayNode();
        buildOptions(b, command, guild, channelId, options, resolved);
        if (b.subcommand != null) {
            ObjectNode sub = DiscordJson.object();
            sub.put("name", b.subcommand);
            sub.put("type", 1);
            sub.set("options", options);
            if (b.subcommandGroup != null) {
                ObjectNode group = DiscordJson.object();
                group.put("name", b.subcommandGroup);
                group.put("type", 2);
                group.putArray("options").add(sub);
                data.putArray("options").add(group);
            } else {
                data.putArray("options").add(sub);
            }
        } else if (!options.isEmpty()) {
            data.set("options", options);
        }
        if (!resolved.isEmpty()) {
            data.set("resolved", resolved);
        }
        InteractionState i = new InteractionState(id, token, type, guild == null ? 0 : guild.id(), channelId, user,
                state.now(), d, command.name(), 0);
        return dispatchInteraction(i);
    }

    private FakeInteraction dispatchInteraction(InteractionState i) {
        state.register(i);
        gateway.dispatchTo(i.guildId, "INTERACTION_CREATE", i.payload);
        return new FakeInteraction(state, i);
    }

    private RegisteredCommand findCommand(String name, FakeGuild guild) {
        synchronized (state) {
            List<RegisteredCommand> candidates = state.commands.values().stream()
                    .filter(c -> c.type() == 1 && c.name().equals(name)).toList();
            Optional<RegisteredCommand> inGuild = candidates.stream()
                    .filter(c -> guild != null && c.guildId() == guild.id()).findFirst();
            Optional<RegisteredCommand> global = candidates.stream().filter(c -> c.guildId() == 0).findFirst();
            return inGuild.or(() -> global).orElseThrow(() -> new IllegalStateException("slash command /" + name
                    + " is not registered" + (guild != null ? " globally or in guild " + guild.name() : " globally")
                    + "; registered: " + state.commands.values().stream().map(c -> "/" + c.name()
                    + (c.guildId() != 0 ? " (guild " + c.guildId() + ")" : "")).toList()));
        }
    }

    /** Discord shows a command only where its {@code contexts} and {@code integration_types} allow it. */
    private static void checkContext(RegisteredCommand command, InteractionBuilder.Place place) {
        JsonNode contexts = command.json().path("contexts");
        int wanted = switch (place) {
            case GUILD -> 0;
            case BOT_DM -> 1;
            case PRIVATE_CHANNEL -> 2;
        };
        boolean allowed;
        if (contexts.isArray()) {
            allowed = false;
            for (JsonNode c : contexts) {
                allowed |= c.asInt() == wanted;
            }
        } else {
            // Without contexts: guild always, bot DM unless dm_permission is false, never in other DMs.
            allowed = wanted == 0 || (wanted == 1 && command.guildId() == 0
                    && command.json().path("dm_permission").asBoolean(true));
        }
        if (!allowed) {
            throw new IllegalStateException("/" + command.name() + " is not available in context " + place
                    + " (registered contexts: " + contexts + ")");
        }
        if (place == InteractionBuilder.Place.PRIVATE_CHANNEL) {
            boolean userInstall = false;
            for (JsonNode t : command.json().path("integration_types")) {
                userInstall |= t.asInt() == 1;
            }
            if (!userInstall) {
                throw new IllegalStateException("/" + command.name() + " is not installable on user accounts"
                        + " (integration_types " + command.json().path("integration_types") + " lacks 1)");
            }
        }
    }

    private void buildOptions(InteractionBuilder b, RegisteredCommand command, FakeGuild guild, long channelId,
                              ArrayNode out, ObjectNode resolved) {
        if (b.subcommand != null && command.subcommand(b.subcommandGroup, b.subcommand) == null) {
            throw new IllegalArgumentException("/" + command.name() + " has no subcommand '"
                    + (b.subcommandGroup != null ? b.subcommandGroup + " " : "") + b.subcommand + "'");
        }
        JsonNode declared = b.subcommand == null ? command.json().path("options")
                : command.subcommand(b.subcommandGroup, b.subcommand).path("options");
        for (Map.Entry<String, Object> e : b.options.entrySet()) {
            JsonNode decl = command.option(b.subcommandGroup, b.subcommand, e.getKey());
            if (decl == null || decl.path("type").asInt() <= 2) {
                List<String> names = new ArrayList<>();
                declared.forEach(o -> names.add(o.path("name").asText()));
                throw new IllegalArgumentException("/" + command.name() + (b.subcommand != null ? " " + b.subcommand : "")
                        + " has no option '" + e.getKey() + "'; declared: " + names);
            }
            ObjectNode o = out.addObject();
            o.put("name", e.getKey());
            int type = decl.path("type").asInt();
            o.put("type", type);
            if (e.getKey().equals(b.focused)) {
                if (!decl.path("autocomplete").asBoolean(false)) {
                    throw new IllegalArgumentException("option '" + e.getKey() + "' of /" + command.name()
                            + " was not registered with autocomplete=true");
                }
                o.put("value", String.valueOf(e.getValue()));
                o.put("focused", true);
                continue;
            }
            o.set("value", optionValue(command, decl, e.getValue(), guild, channelId, resolved));
        }
        if (b.autocomplete && b.focused == null) {
            throw new IllegalArgumentException("an autocomplete interaction needs a focused option");
        }
        if (!b.autocomplete) {
            for (JsonNode o : declared) {
                if (o.path("required").asBoolean(false) && !b.options.containsKey(o.path("name").asText())) {
                    throw new IllegalArgumentException("/" + command.name() + " requires option '"
                            + o.path("name").asText() + "'");
                }
            }
        }
    }

    private JsonNode optionValue(RegisteredCommand command, JsonNode decl, Object value, FakeGuild guild,
                                 long channelId, ObjectNode resolved) {
        String name = decl.path("name").asText();
        String where = "option '" + name + "' of /" + command.name();
        int type = decl.path("type").asInt();
        JsonNode v;
        switch (type) {
            case 3 -> {
                if (!(value instanceof CharSequence)) {
                    throw new IllegalArgumentException(where + " is a string option, got " + value.getClass().getSimpleName());
                }
                String s = value.toString();
                int min = decl.path("min_length").asInt(0);
                int max = decl.path("max_length").asInt(6000);
                if (s.length() < min || s.length() > max) {
                    throw new IllegalArgumentException(where + " must have " + min + ".." + max + " characters, got "
                            + s.length());
                }
                v = DiscordJson.NF.textNode(s);
            }
            case 4, 10 -> {
                if (!(value instanceof Number n)) {
                    throw new IllegalArgumentException(where + " is numeric, got " + value.getClass().getSimpleName());
                }
                if (type == 4 && (value instanceof Double || value instanceof Float)) {
                    throw new IllegalArgumentException(where + " is an integer option, got " + value);
                }
                double d = n.doubleValue();
                if ((decl.has("min_value") && d < decl.get("min_value").asDouble())
                        || (decl.has("max_value") && d > decl.get("max_value").asDouble())) {
                    throw new IllegalArgumentException(where + " must be within [" + decl.path("min_value") + ", "
                            + decl.path("max_value") + "], got " + value);
                }
                v = type == 4 ? DiscordJson.NF.numberNode(n.longValue()) : DiscordJson.NF.numberNode(d);
            }
            case 5 -> {
                if (!(value instanceof Boolean bool)) {
                    throw new IllegalArgumentException(where + " is a boolean option, got " + value.getClass().getSimpleName());
                }
                v = DiscordJson.NF.booleanNode(bool);
            }
            case 6, 9 -> {
                if (value instanceof FakeUser u) {
                    child(resolved, "users").set(DiscordJson.id(u.id()), DiscordJson.user(u));
                    if (guild != null) {
                        ObjectNode m = DiscordJson.member(u, List.of(guild.memberRoleId()), state.joinedAt);
                        m.remove("user");
                        m.put("permissions", Long.toString(MemberSpec.MEMBER_PERMISSIONS));
                        child(resolved, "members").set(DiscordJson.id(u.id()), m);
                    }
                    v = DiscordJson.NF.textNode(DiscordJson.id(u.id()));
                } else if (type == 9 && value instanceof Long roleId && guild != null) {
                    v = roleOption(guild, roleId, resolved, where);
                } else {
                    throw new IllegalArgumentException(where + " takes a FakeUser"
                            + (type == 9 ? " or a role id (Long)" : "") + ", got " + value);
                }
            }
            case 7 -> {
                if (!(value instanceof Long id) || !state.channels.containsKey(id)) {
                    throw new IllegalArgumentException(where + " takes a known channel id (Long), got " + value);
                }
                ChannelState c = state.channels.get(id);
                ObjectNode cj = state.channelJson(c);
                cj.put("permissions", Long.toString(MemberSpec.MEMBER_PERMISSIONS));
                child(resolved, "channels").set(DiscordJson.id(id), cj);
                v = DiscordJson.NF.textNode(DiscordJson.id(id));
            }
            case 8 -> {
                if (!(value instanceof Long roleId) || guild == null) {
                    throw new IllegalArgumentException(where + " takes a role id (Long) in a guild, got " + value);
                }
                v = roleOption(guild, roleId, resolved, where);
            }
            case 11 -> {
                if (!(value instanceof InteractionBuilder.FileUpload f)) {
                    throw new IllegalArgumentException(where + " is an attachment option; use attachment(name, filename, bytes)");
                }
                FakeAttachment a = state.storeUserUpload(channelId, f.filename(), f.contentType(), f.bytes());
                child(resolved, "attachments").set(DiscordJson.id(a.id()), DiscordJson.attachment(a, true));
                v = DiscordJson.NF.textNode(DiscordJson.id(a.id()));
            }
            default -> throw new IllegalArgumentException(where + " has unsupported type " + type);
        }
        JsonNode choices = decl.path("choices");
        if (choices.isArray() && !choices.isEmpty()) {
            boolean ok = false;
            for (JsonNode c : choices) {
                ok |= c.path("value").asText().equals(v.asText());
            }
            if (!ok) {
                List<String> allowed = new ArrayList<>();
                choices.forEach(c -> allowed.add(c.path("value").asText()));
                throw new IllegalArgumentException(where + " must be one of the choices " + allowed + ", got " + value);
            }
        }
        return v;
    }

    private JsonNode roleOption(FakeGuild guild, long roleId, ObjectNode resolved, String where) {
        String name = roleId == guild.id() ? "@everyone" : roleId == guild.memberRoleId() ? "Member"
                : roleId == guild.adminRoleId() ? "Admin" : roleId == guild.botRoleId() ? state.bot.username() : null;
        if (name == null) {
            throw new IllegalArgumentException(where + ": " + roleId + " is not a role of " + guild.name());
        }
        child(resolved, "roles").set(DiscordJson.id(roleId), DiscordJson.role(roleId, name, 0, 0,
                roleId == guild.botRoleId() ? state.bot.id() : null));
        return DiscordJson.NF.textNode(DiscordJson.id(roleId));
    }

    /** The fields every interaction carries (guild/DM context, invoking member or user, entitlements …). */
    private ObjectNode basePayload(int type, long id, String token, InteractionBuilder.Place place, FakeGuild guild,
                                   long channelId, FakeUser user, MemberSpec member, String locale) {
        ObjectNode d = DiscordJson.object();
        d.put("id", DiscordJson.id(id));
        d.put("application_id", DiscordJson.id(state.applicationId));
        d.put("type", type);
        d.put("token", token);
        d.put("version", 1);
        d.put("locale", locale);
        d.put("attachment_size_limit", state.attachmentSizeLimit);
        ArrayNode entitlements = d.putArray("entitlements");
        state.entitlementsFor(user.id(), guild == null ? 0 : guild.id())
                .forEach(e -> entitlements.add(DiscordJson.entitlement(e, state.applicationId)));
        ObjectNode owners = d.putObject("authorizing_integration_owners");
        ChannelState channel = state.channels.get(channelId);
        switch (place) {
            case GUILD -> {
                owners.put("0", DiscordJson.id(guild.id()));
                d.put("context", 0);
                d.put("guild_id", DiscordJson.id(guild.id()));
                d.put("guild_locale", "en-US");
                ObjectNode g = d.putObject("guild");
                g.put("id", DiscordJson.id(guild.id()));
                g.put("locale", "en-US");
                g.putArray("features");
                ObjectNode c = state.channelJson(channel);
                c.put("permissions", Long.toString(member.permissions()));
                d.set("channel", c);
                ObjectNode m = DiscordJson.member(user, member.roleIds(), state.joinedAt);
                m.put("permissions", Long.toString(member.permissions()));
                d.set("member", m);
                d.put("app_permissions", Long.toString(BOT_PERMISSIONS));
            }
            case BOT_DM -> {
                owners.put("0", "0");
                d.put("context", 1);
                d.set("channel", state.channelJson(channel));
                d.set("user", DiscordJson.user(user));
                d.put("app_permissions", Long.toString(DM_APP_PERMISSIONS));
            }
            case PRIVATE_CHANNEL -> {
                owners.put("1", DiscordJson.id(user.id()));
                d.put("context", 2);
                ObjectNode c = DiscordJson.object();
                c.put("id", DiscordJson.id(channelId));
                c.put("type", 1);
                c.putNull("last_message_id");
                c.put("flags", 0);
                c.putArray("recipients").add(DiscordJson.user(user));
                d.set("channel", c);
                d.set("user", DiscordJson.user(user));
                d.put("app_permissions", Long.toString(DM_APP_PERMISSIONS));
            }
            default -> throw new IllegalStateException(place.toString());
        }
        d.put("channel_id", DiscordJson.id(channelId));
        return d;
    }

    /** Interaction tokens are opaque; Discord's look like base64 of "interaction:<id>:<random>". */
    private String newToken(long id) {
        byte[] secret = new byte[48];
        random.nextBytes(secret);
        String raw = "interaction:" + Long.toUnsignedString(id) + ":" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ================================================================================================ entitlements & users

    /**
     * Grants {@code user} a subscription entitlement to {@code skuId} for {@code length} (from now, stand-in clock),
     * dispatches ENTITLEMENT_CREATE and includes it in the user's future interactions.
     */
    public FakeEntitlement grantEntitlement(FakeUser user, long skuId, Duration length) {
        Instant now = state.now();
        FakeEntitlement e = new FakeEntitlement(state.nextId(), skuId, user.id(), 0,
                FakeEntitlement.APPLICATION_SUBSCRIPTION, now, now.plus(length), false);
        synchronized (state) {
            state.entitlements.add(e);
            state.changed();
        }
        if (gateway.hasSession()) {
            gateway.dispatchTo(0, "ENTITLEMENT_CREATE", DiscordJson.entitlement(e, state.applicationId));
        }
        return e;
    }

    public List<FakeEntitlement> entitlements() {
        synchronized (state) {
            return List.copyOf(state.entitlements);
        }
    }

    /** From now on the bot cannot DM {@code user} (403, code 50007 "Cannot send messages to this user"). */
    public void blockDirectMessages(FakeUser user) {
        synchronized (state) {
            state.dmsBlocked.add(user.id());
        }
    }

    // ================================================================================================ state queries

    /** Global commands the bot registered. */
    public List<RegisteredCommand> commands() {
        return guildCommands(0);
    }

    /** Commands registered in one guild ({@code 0}: global). */
    public List<RegisteredCommand> guildCommands(long guildId) {
        synchronized (state) {
            return state.commands.values().stream().filter(c -> c.guildId() == guildId).toList();
        }
    }

    /** Waits until a command with this name is registered (globally or in any guild). */
    public RegisteredCommand awaitCommand(String name, Duration timeout) {
        return state.await(() -> {
            synchronized (state) {
                return state.commands.values().stream().filter(c -> c.name().equals(name)).findFirst();
            }
        }, timeout, () -> "command /" + name + " was not registered; registered: " + state.commands.values().stream()
                .map(RegisteredCommand::name).toList());
    }

    /** Latest version of every message ever created (deleted ones included, flagged), in creation order. */
    public List<FakeMessage> messages() {
        synchronized (state) {
            return state.messages.values().stream().map(m -> m.history.get(m.history.size() - 1)).toList();
        }
    }

    public Optional<FakeMessage> message(long id) {
        synchronized (state) {
            MessageState m = state.messages.get(id);
            return m == null ? Optional.empty() : Optional.of(m.history.get(m.history.size() - 1));
        }
    }

    /** Every version of a message: as created, then one per edit (and the deletion). */
    public List<FakeMessage> messageHistory(long id) {
        synchronized (state) {
            MessageState m = state.messages.get(id);
            return m == null ? List.of() : List.copyOf(m.history);
        }
    }

    /** Waits for a message (latest versions) satisfying {@code condition}. */
    public FakeMessage awaitMessage(Predicate<FakeMessage> condition, Duration timeout) {
        return state.await(() -> messages().stream().filter(condition).findFirst(), timeout,
                () -> "no message matched; messages: " + messages());
    }

    /** The bot's DM channel with {@code user}, if the bot opened one or the user wrote to it. */
    public Optional<Long> dmChannelId(FakeUser user) {
        synchronized (state) {
            return Optional.ofNullable(state.dmChannelByUser.get(user.id()));
        }
    }

    // ================================================================================================ REST log & faults

    public RestLog requests() {
        return restLog;
    }

    /**
     * Answers the next {@code times} requests of {@code method} on OpenAPI route {@code route} (e.g. {@code "POST",
     * "/channels/{channel_id}/messages"}) with 429, {@code Retry-After: 1}.
     */
    public void rateLimitNext(String method, String route, int times) {
        rateLimitNext(method, route, times, 1);
    }

    /** As {@link #rateLimitNext(String, String, int)} with a Retry-After of {@code retryAfterSeconds} (whole seconds). */
    public void rateLimitNext(String method, String route, int times, int retryAfterSeconds) {
        String m = method.toUpperCase(Locale.ROOT);
        if (!validator.hasRoute(m, route)) {
            throw new IllegalArgumentException(m + " " + route + " is not a route of Discord's API");
        }
        if (times < 1 || retryAfterSeconds < 1) {
            throw new IllegalArgumentException("times and retryAfterSeconds must be >= 1");
        }
        synchronized (state) {
            state.rateLimits.put(m + " " + route, new int[] {times, retryAfterSeconds});
        }
    }

    public void setAttachmentSizeLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("attachment size limit must be positive, got " + bytes);
        }
        state.attachmentSizeLimit = bytes;
    }

    public long attachmentSizeLimit() {
        return state.attachmentSizeLimit;
    }

    // ================================================================================================ gateway

    /** Every gateway frame received ({@code "<- …"}) and sent ({@code "-> …"}), in order. */
    public List<String> gatewayLog() {
        return gateway.log();
    }

    /** Closes every gateway connection from the server side with {@code code} (e.g. 4000 to force a reconnect). */
    public void disconnectGateway(int code) {
        gateway.sessions().forEach(s -> s.close(code, "closed by FakeDiscord"));
    }

    /** A gateway outage begun by {@link #gatewayOutage(int)}; closing it lets clients reconnect. */
    public interface Outage extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Drops every gateway connection with {@code closeCode} (4000 lets clients RESUME) and holds their reconnection
     * handshakes until the returned outage is closed. Events dispatched in between (e.g. interactions) are
     * delivered by the RESUME replay, as Discord does.
     */
    public Outage gatewayOutage(int closeCode) {
        gateway.beginOutage(closeCode, Duration.ofSeconds(5));
        return gateway::release;
    }

    /** Waits until {@code count} gateway sessions completed the handshake (one per shard). */
    public void awaitGatewaySessions(int count, Duration timeout) {
        gateway.awaitReady(count, timeout);
    }

    /** The {@code intents} bit set of the most recent IDENTIFY (to check a bot asks for no privileged intents). */
    public OptionalLong gatewayIntents() {
        List<FakeGateway.Session> identified = gateway.sessions().stream().filter(FakeGateway.Session::isReady).toList();
        return identified.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(identified.get(identified.size() - 1).intents());
    }

    /** GUILD_CREATE as the gateway sends it for {@code guild} (for fixture checks). */
    JsonNode guildCreatePayload(FakeGuild guild) {
        return gateway.guildCreate(guild);
    }

    /** Shard ids of the ready sessions (0 for an unsharded client). */
    public List<Integer> connectedShards() {
        return gateway.sessions().stream().filter(FakeGateway.Session::isReady).map(FakeGateway.Session::shardId)
                .sorted().toList();
    }

    // ================================================================================================ validation

    public OpenApiValidator validator() {
        return validator;
    }

    /** All violations so far (requests off the OpenAPI description, routes the stand-in lacks, fake bugs). */
    public List<Violation> violations() {
        synchronized (state) {
            return List.copyOf(state.violations);
        }
    }

    /** Returns the violations so far and forgets them (for tests that provoke one on purpose). */
    public List<Violation> takeViolations() {
        synchronized (state) {
            List<Violation> out = List.copyOf(state.violations);
            state.violations.clear();
            return out;
        }
    }

    /**
     * Fails if any request departed from the OpenAPI description (or hit a route the stand-in lacks), naming each
     * request, the place and the schema error.
     */
    public void assertNoViolations() {
        List<Violation> vs = violations();
        if (!vs.isEmpty()) {
            StringBuilder sb = new StringBuilder(vs.size() + " Discord API violation(s):");
            for (Violation v : vs) {
                sb.append("\n\n").append(v.describe());
            }
            throw new AssertionError(sb.toString());
        }
    }

    // ================================================================================================ lifecycle

    /**
     * Shuts down every client started by {@link #login} (shutdownNow) and {@link #loginSharded} (shutdown), waits
     * for each (awaitShutdown), once in-flight REST exchanges are answered (up to 2 s); then stops the server.
     */
    @Override
    public void close() {
        restLog.awaitQuiet(Duration.ofMillis(100), Duration.ofSeconds(2));
        List<JDA> all = new ArrayList<>(clients);
        for (ShardManager manager : shardManagers) {
            all.addAll(manager.getShards());
            manager.shutdown();
        }
        for (JDA jda : clients) {
            jda.shutdownNow();
        }
        for (JDA jda : all) {
            try {
                jda.awaitShutdown(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.close();
    }

    // ================================================================================================ HTTP dispatch

    private MockResponse dispatch(RecordedRequest recorded) {
        HttpUrl url = recorded.getUrl();
        List<String> segments = url.pathSegments().stream().filter(x -> !x.isEmpty()).toList();
        if (segments.equals(List.of("gateway")) && "websocket".equalsIgnoreCase(recorded.getHeaders().get("Upgrade"))) {
            // Only plain JSON text frames are served: encoding=json, no compress=zlib-stream.
            String encoding = Optional.ofNullable(url.queryParameter("encoding")).orElse("json");
            if (!encoding.equals("json") || url.queryParameter("compress") != null) {
                state.addViolations(List.of(new Violation(Violation.Kind.UNSUPPORTED_BY_FAKE, "GET",
                        "/gateway?" + url.encodedQuery(), null, "gateway", "FakeDiscord serves encoding=json"
                        + " without transport compression; build JDA with Compression.NONE (see configure)",
                        null, List.of())));
                return json(400, DiscordJson.error(0, "400: Bad Request"), null);
            }
            return new MockResponse.Builder().webSocketUpgrade(gateway.newSession()).build();
        }
        if (!segments.isEmpty() && segments.get(0).equals("attachments") && recorded.getMethod().equals("GET")) {
            return cdn(url);
        }
        if (segments.size() < 2 || !segments.get(0).equals("api") || !segments.get(1).equals("v10")) {
            state.addViolations(List.of(new Violation(Violation.Kind.UNKNOWN_ROUTE, recorded.getMethod(),
                    url.encodedPath(), null, "base", "request outside /api/v10/ (Easel speaks API v10)", null,
                    List.of())));
            return json(404, DiscordJson.error(0, "404: Not Found"), null);
        }
        String path = "/" + String.join("/", segments.subList(2, segments.size()));
        Optional<OpenApiValidator.Match> match = validator.match(recorded.getMethod(), path);
        RestRequest request;
        synchronized (restLog) {
            request = parse(recorded, path, match.map(OpenApiValidator.Match::template).orElse(null));
            restLog.add(request);
        }
        try {
            MockResponse response = serve(request, match.orElse(null));
            restLog.answered(request, response.getCode());
            return response;
        } catch (RuntimeException | Error e) {
            restLog.answered(request, 500);
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            state.addViolations(List.of(new Violation(Violation.Kind.FAKE_ERROR, request.method(),
                    request.pathWithQuery(), request.route(), "fake", e.toString(), null,
                    List.of(trace.toString()))));
            return json(500, DiscordJson.error(0, "500: Internal Server Error"), null);
        }
    }

    private MockResponse serve(RestRequest r, OpenApiValidator.Match m) {
        if (m == null) {
            state.addViolations(validator.validateRequest(r));
            return json(404, DiscordJson.error(0, "404: Not Found"), null);
        }
        if (m.operation() == null) {
            state.addViolations(validator.validateRequest(r));
            return json(405, DiscordJson.error(0, "405: Method Not Allowed"), null);
        }
        String bucket = r.method() + " " + m.template();
        if (FakeRestApi.needsBotToken(m.template())
                && !("Bot " + state.token).equals(r.header("authorization").orElse(""))) {
            return json(401, DiscordJson.error(0, "401: Unauthorized"), bucket);
        }
        synchronized (state) {
            int[] limit = state.rateLimits.get(bucket);
            if (limit != null && limit[0] > 0) {
                if (--limit[0] == 0) {
                    state.rateLimits.remove(bucket);
                }
                return rateLimited(bucket, limit[1]);
            }
        }
        if (FakeRestApi.carriesFiles(m.template())) {
            for (RestRequest.MultipartPart f : r.files()) {
                if (f.bytes().length > state.attachmentSizeLimit) {
                    return json(413, DiscordJson.error(40005, "Request entity too large"), bucket);
                }
            }
        }
        List<Violation> violations = validator.validateRequest(r);
        if (!violations.isEmpty()) {
            state.addViolations(violations);
            return json(400, invalidFormBody(violations), bucket);
        }
        Reply reply;
        try {
            reply = rest.handle(r, m);
        } catch (DiscordError e) {
            return json(e.status, e.body(), bucket);
        }
        if (reply == null) {
            state.addViolations(List.of(new Violation(Violation.Kind.UNSUPPORTED_BY_FAKE, r.method(), r.pathWithQuery(),
                    m.template(), "route", "FakeDiscord does not implement " + m.operation().operationId()
                    + "; add it to FakeRestApi", null, List.of())));
            return json(404, DiscordJson.error(0, "404: Not Found"), bucket);
        }
        if (reply.body() != null) {
            state.addViolations(validator.validateResponse(r, reply.status(), reply.body()));
        }
        return json(reply.status(), reply.body(), bucket);
    }

    /**
     * Discord's 400 for a body that fails validation: code 50035 with an {@code errors} tree keyed by the JSON
     * path of each problem. The stand-in's error code inside is {@code OPENAPI_SCHEMA} (Discord uses specific codes
     * such as BASE_TYPE_MAX_LENGTH); the message carries the schema error.
     */
    private static ObjectNode invalidFormBody(List<Violation> violations) {
        ObjectNode errors = DiscordJson.object();
        for (Violation v : violations) {
            String message = v.message();
            int colon = message.indexOf(": ");
            String path = colon > 0 && message.startsWith("$") ? message.substring(0, colon) : "$";
            ObjectNode at = errors;
            String prefix = v.location().startsWith("query.") || v.location().startsWith("path.")
                    ? v.location() : "";
            List<String> keys = new ArrayList<>();
            if (!prefix.isEmpty()) {
                keys.addAll(List.of(prefix.split("\\.")));
            }
            Matcher km = Pattern.compile("\\.([A-Za-z0-9_\\[\\]]+?)(?=\\.|\\[|$)|\\[(\\d+)]").matcher(path);
            while (km.find()) {
                keys.add(km.group(1) != null ? km.group(1) : km.group(2));
            }
            for (String k : keys) {
                at = child(at, k);
            }
            ArrayNode list = at.has("_errors") ? (ArrayNode) at.get("_errors") : at.putArray("_errors");
            ObjectNode e = list.addObject();
            e.put("code", "OPENAPI_SCHEMA");
            e.put("message", colon > 0 ? message.substring(colon + 2) : message);
        }
        ObjectNode body = DiscordJson.error(50035, "Invalid Form Body");
        body.set("errors", errors);
        return body;
    }

    private static ObjectNode child(ObjectNode parent, String key) {
        return parent.get(key) instanceof ObjectNode o ? o : parent.putObject(key);
    }

    private MockResponse rateLimited(String bucket, int retryAfterSeconds) {
        ObjectNode body = DiscordJson.object();
        body.put("message", "You are being rate limited.");
        body.put("retry_after", (double) retryAfterSeconds);
        body.put("global", false);
        double resetAt = System.currentTimeMillis() / 1000.0 + retryAfterSeconds;
        return new MockResponse.Builder()
                .code(429)
                .setHeader("Content-Type", "application/json")
                .setHeader("Via", "1.1 google")
                .setHeader("Retry-After", Integer.toString(retryAfterSeconds))
                .setHeader("X-RateLimit-Limit", "5")
                .setHeader("X-RateLimit-Remaining", "0")
                .setHeader("X-RateLimit-Reset", String.format(Locale.ROOT, "%.3f", resetAt))
                .setHeader("X-RateLimit-Reset-After", String.format(Locale.ROOT, "%d.000", retryAfterSeconds))
                .setHeader("X-RateLimit-Bucket", bucketHash(bucket))
                .setHeader("X-RateLimit-Scope", "user")
                .body(body.toString())
                .build();
    }

    /** A JSON (or empty) response with Discord's headers; {@code bucket} adds X-RateLimit-* for a route. */
    private static MockResponse json(int status, JsonNode body, String bucket) {
        MockResponse.Builder b = new MockResponse.Builder().code(status).setHeader("Via", "1.1 google");
        if (bucket != null) {
            double resetAt = System.currentTimeMillis() / 1000.0 + 1;
            b.setHeader("X-RateLimit-Limit", "5")
                    .setHeader("X-RateLimit-Remaining", "4")
                    .setHeader("X-RateLimit-Reset", String.format(Locale.ROOT, "%.3f", resetAt))
                    .setHeader("X-RateLimit-Reset-After", "1.000")
                    .setHeader("X-RateLimit-Bucket", bucketHash(bucket));
        }
        if (body != null) {
            b.setHeader("Content-Type", "application/json").body(body.toString());
        }
        return b.build();
    }

    private static String bucketHash(String bucket) {
        return Integer.toHexString(bucket.hashCode() & 0x7fffffff);
    }

    private MockResponse cdn(HttpUrl url) {
        byte[] bytes;
        synchronized (state) {
            bytes = state.cdn.get(url.encodedPath());
            if (bytes == null) {
                bytes = state.cdn.get("/" + String.join("/", url.pathSegments()));
            }
        }
        if (bytes == null) {
            return new MockResponse.Builder().code(404).body("Not Found").build();
        }
        String name = url.pathSegments().get(url.pathSegments().size() - 1);
        return new MockResponse.Builder().code(200).setHeader("Content-Type", DiscordState.guessType(name))
                .body(new Buffer().write(bytes)).build();
    }

    /** Parses a recorded request: query, lower-cased headers, JSON or multipart body. */
    private RestRequest parse(RecordedRequest recorded, String path, String route) {
        HttpUrl url = recorded.getUrl();
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (int k = 0; k < url.querySize(); k++) {
            query.computeIfAbsent(url.queryParameterName(k), x -> new ArrayList<>())
                    .add(Optional.ofNullable(url.queryParameterValue(k)).orElse(""));
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Headers h = recorded.getHeaders();
        for (int k = 0; k < h.size(); k++) {
            headers.computeIfAbsent(h.name(k).toLowerCase(Locale.ROOT), x -> new ArrayList<>()).add(h.value(k));
        }
        byte[] body = recorded.getBody() == null ? new byte[0] : recorded.getBody().toByteArray();
        String contentTypeHeader = h.get("Content-Type");
        String contentType = body.length == 0 || contentTypeHeader == null ? null
                : contentTypeHeader.split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode json = null;
        List<RestRequest.MultipartPart> parts = new ArrayList<>();
        if ("multipart/form-data".equals(contentType)) {
            Matcher bm = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentTypeHeader);
            if (bm.find()) {
                try (MultipartReader reader = new MultipartReader(new Buffer().write(body), bm.group(1))) {
                    MultipartReader.Part part;
                    while ((part = reader.nextPart()) != null) {
                        String disposition = Optional.ofNullable(part.headers().get("Content-Disposition")).orElse("");
                        Matcher nm = DISPOSITION_NAME.matcher(disposition);
                        Matcher fm = DISPOSITION_FILENAME.matcher(disposition);
                        String name = nm.find() ? nm.group(1) : "";
                        String filename = fm.find() ? fm.group(1) : null;
                        byte[] bytes = part.body().readByteArray();
                        parts.add(new RestRequest.MultipartPart(name, filename, part.headers().get("Content-Type"), bytes));
                        if (name.equals("payload_json")) {
                            json = DiscordJson.parse(bytes);
                        }
                    }
                } catch (IOException e) {
                    json = null;
                }
            }
        } else if (body.length > 0) {
            json = DiscordJson.parse(body);
        }
        return new RestRequest(restLog.nextSequence(), state.now(), recorded.getMethod(), path, route, query, headers,
                contentType, body, json, parts);
    }
}
