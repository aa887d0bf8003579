package dev.easel.adapter.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The bot's settings: the {@code bot} section of easel.yaml plus the environment. The token comes only from the
 * environment ({@code DISCORD_TOKEN}) and is never logged or printed ({@link #toString()} masks it).
 *
 * <pre>
 * bot:
 *   rest-url: https://discord.com/api/v10/    # Discord's REST API (a stand-in's for tests)
 *   gateway-url: wss://gateway.discord.gg      # omit to ask Discord (GET /gateway/bot)
 *   gateway-compression: zlib                 # zlib | none (stand-ins speak plain JSON)
 *   command-guilds: []                         # register commands in these guilds only (instant); [] = global
 *   progress-interval-ms: 3000                 # at most one progress edit per message this often
 *   delivery-interval-ms: 5000                 # how often pending deliveries are looked at
 *   threads: 4                                 # threads that handle interactions and deliveries
 *   workers: 1                                 # image workers in the bot process (0: separate easel worker processes)
 * </pre>
 * Environment overrides: {@code EASEL_BOT_REST_URL}, {@code EASEL_BOT_GATEWAY_URL},
 * {@code EASEL_BOT_GATEWAY_COMPRESSION}, {@code EASEL_BOT_WORKERS}.
 *
 * @param defaultUploadLimit upload limit when an interaction does not report one (Discord's 10 MiB)
 */
public record DiscordSettings(String token, String restBaseUrl, String gatewayUrl, boolean gatewayCompression,
                              List<String> commandGuilds, Duration progressInterval, Duration deliveryInterval,
                              int threads, int workers, long defaultUploadLimit) {

    public static final String DEFAULT_REST_URL = "https://discord.com/api/v10/";
    public static final long DEFAULT_UPLOAD_LIMIT = 10L * 1024 * 1024;
    private static final Set<String> KEYS = Set.of("rest-url", "gateway-url", "gateway-compression", "command-guilds",
            "progress-interval-ms", "delivery-interval-ms", "threads", "workers");

    public DiscordSettings {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no bot token: set the environment variable DISCORD_TOKEN to the token "
                    + "of your application's bot (Discord developer portal → your application → Bot → Reset Token)");
        }
        if (token.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("DISCORD_TOKEN contains spaces or line breaks; paste the token alone");
        }
        if (restBaseUrl == null || !(restBaseUrl.startsWith("http://") || restBaseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("bot.rest-url must be an http(s) URL; got " + restBaseUrl);
        }
        restBaseUrl = restBaseUrl.endsWith("/") ? restBaseUrl : restBaseUrl + "/";
        if (gatewayUrl != null && !(gatewayUrl.startsWith("ws://") || gatewayUrl.startsWith("wss://"))) {
            throw new IllegalArgumentException("bot.gateway-url must be a ws:// or wss:// URL; got " + gatewayUrl);
        }
        commandGuilds = List.copyOf(commandGuilds);
        for (String g : commandGuilds) {
            if (!g.matches("\\d{1,20}")) {
                throw new IllegalArgumentException("bot.command-guilds must list guild ids (numbers); got '" + g + "'");
            }
        }
        if (progressInterval.isNegative() || deliveryInterval.isNegative() || deliveryInterval.isZero()) {
            throw new IllegalArgumentException("bot intervals must be positive");
        }
        if (threads < 1 || workers < 0) {
            throw new IllegalArgumentException("bot.threads must be >= 1 and bot.workers >= 0; got " + threads + ", "
                    + workers);
        }
        if (defaultUploadLimit <= 0) {
            throw new IllegalArgumentException("default upload limit must be positive");
        }
    }

    /** Discord itself, with the given token and defaults. */
    public static DiscordSettings of(String token) {
        return new DiscordSettings(token, DEFAULT_REST_URL, null, true, List.of(), Duration.ofSeconds(3),
                Duration.ofSeconds(5), 4, 1, DEFAULT_UPLOAD_LIMIT);
    }

    public DiscordSettings withEndpoints(String rest, String gateway, boolean compression) {
        return new DiscordSettings(token, rest, gateway, compression, commandGuilds, progressInterval,
                deliveryInterval, threads, workers, defaultUploadLimit);
    }

    public DiscordSettings withIntervals(Duration progress, Duration delivery) {
        return new DiscordSettings(token, restBaseUrl, gatewayUrl, gatewayCompression, commandGuilds, progress,
                delivery, threads, workers, defaultUploadLimit);
    }

    public DiscordSettings withWorkers(int n) {
        return new DiscordSettings(token, restBaseUrl, gatewayUrl, gatewayCompression, commandGuilds,
                progressInterval, deliveryInterval, threads, n, defaultUploadLimit);
    }

    /** Reads the {@code bot} section of easel.yaml (a missing file or section means defaults) and the environment. */
    public static DiscordSettings load(Path yaml, Map<String, String> env) {
        JsonNode section = null;
        if (yaml != null && Files.exists(yaml)) {
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
                section = root == null ? null : root.get("bot");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + yaml + ": " + e.getMessage(), e);
            }
        }
        return fromTree(section, env);
    }

    static DiscordSettings fromTree(JsonNode s, Map<String, String> env) {
        if (s != null && !s.isNull() && !s.isObject()) {
            throw new IllegalArgumentException("bot must be a section of keys");
        }
        JsonNode section = s == null || s.isNull() ? null : s;
        if (section != null) {
            for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown key bot." + key + "; known: "
                            + String.join(", ", KEYS.stream().sorted().toList()));
                }
            }
        }
        String rest = env.getOrDefault("EASEL_BOT_REST_URL", text(section, "rest-url", DEFAULT_REST_URL));
        String gateway = env.getOrDefault("EASEL_BOT_GATEWAY_URL", text(section, "gateway-url", null));
        String compression = env.getOrDefault("EASEL_BOT_GATEWAY_COMPRESSION",
                text(section, "gateway-compression", "zlib")).toLowerCase(Locale.ROOT);
        if (!compression.equals("zlib") && !compression.equals("none")) {
            throw new IllegalArgumentException("bot.gateway-compression must be zlib or none; got '" + compression + "'");
        }
        List<String> guilds = new ArrayList<>();
        JsonNode g = section == null ? null : section.get("command-guilds");
        if (g != null && !g.isNull()) {
            if (!g.isArray()) {
                throw new IllegalArgumentException("bot.command-guilds must be a list of guild ids");
            }
            g.forEach(n -> guilds.add(n.asText()));
        }
        String workers = env.get("EASEL_BOT_WORKERS");
        return new DiscordSettings(env.get("DISCORD_TOKEN"), rest, gateway, compression.equals("zlib"), guilds,
                Duration.ofMillis(integer(section, "progress-interval-ms", 3000)),
                Duration.ofMillis(integer(section, "delivery-interval-ms", 5000)), integer(section, "threads", 4),
                workers != null ? parseWorkers(workers) : integer(section, "workers", 1), DEFAULT_UPLOAD_LIMIT);
    }

    private static int parseWorkers(String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EASEL_BOT_WORKERS must be a whole number; got '" + v + "'");
        }
    }

    private static String text(JsonNode section, String key, String fallback) {
        JsonNode v = section == null ? null : section.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static int integer(JsonNode section, String key, int fallback) {
        JsonNode v = section == null ? null : section.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("bot." + key + " must be a whole number; got '" + v.asText() + "'");
        }
        return v.intValue();
    }

    @Override
    public String toString() {
        return "DiscordSettings[token=***, rest=" + restBaseUrl + ", gateway=" + (gatewayUrl == null ? "(ask Discord)"
                : gatewayUrl) + ", compression=" + (gatewayCompression ? "zlib" : "none") + ", commandGuilds="
                + commandGuilds + ", progress=" + progressInterval.toMillis() + "ms, delivery="
                + deliveryInterval.toMillis() + "ms, threads=" + threads + ", workers=" + workers + "]";
    }
}
