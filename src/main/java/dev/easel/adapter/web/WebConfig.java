package dev.easel.adapter.web;

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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code web} section of easel.yaml: where the console listens, who a local user is, the admin token, the
 * gallery and the API keys. Every key is optional; unknown keys are errors. Environment overrides:
 * {@code EASEL_WEB_BIND}, {@code EASEL_WEB_PORT}, {@code EASEL_WEB_ADMIN_TOKEN}.
 *
 * <pre>
 * web:
 *   bind: 127.0.0.1          # address to listen on (0.0.0.0 = every interface: anyone who reaches it is the local user)
 *   port: 8080
 *   guild: local             # the quota guild of console and API users
 *   user: local              # who the console acts as
 *   plan: standard           # the console user's plan (assigned at start); absent = the guild's default plan
 *   admin-token: "…"         # at least 16 characters; absent = no admin page
 *   gallery: all             # all | local (only this guild's jobs) | off
 *   gallery-size: 48
 *   api-keys:                # keys from config, stored as SHA-256 (easel web --hash-key KEY prints it)
 *     - {name: ci, plan: basic, sha256: 9f86d0…}
 *   api-keys-file: data/api-keys.json   # keys created on the admin page (hashed)
 *   max-event-streams: 4     # live-update connections at once; more fall back to polling
 *   max-upload-mb: 10
 *   default-strength: 0.6    # image to image when the request names no strength
 *   session-hours: 12        # admin login lifetime
 * </pre>
 *
 * @param plan        empty: the console user keeps whatever plan the guild gives them
 * @param adminToken  empty: the admin page and API are off
 */
public record WebConfig(String bind, int port, String guildId, String userId, Optional<String> plan,
                        Optional<String> adminToken, Gallery gallery, int gallerySize, List<ConfiguredKey> apiKeys,
                        Path apiKeysFile, int maxEventStreams, long maxUploadBytes, double defaultStrength,
                        Duration sessionLifetime) {

    /** Which public results the gallery shows. */
    public enum Gallery {
        ALL, LOCAL, OFF
    }

    /** An API key from the config file: its name, plan (empty = guild default) and SHA-256 hex digest. */
    public record ConfiguredKey(String name, Optional<String> plan, String sha256) {
    }

    public static final int MIN_ADMIN_TOKEN = 16;
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,60}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> KEYS = Set.of("bind", "port", "guild", "user", "plan", "admin-token", "gallery",
            "gallery-size", "api-keys", "api-keys-file", "max-event-streams", "max-upload-mb", "default-strength",
            "session-hours");
    private static final Set<String> KEY_KEYS = Set.of("name", "plan", "sha256");

    public WebConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("web.port must be 0..65535; got " + port);
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("web.bind must name an address, e.g. 127.0.0.1");
        }
        checkId("web.guild", guildId);
        checkId("web.user", userId);
        plan.ifPresent(p -> checkId("web.plan", p));
        adminToken.ifPresent(t -> {
            if (t.length() < MIN_ADMIN_TOKEN || t.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("web.admin-token must be at least " + MIN_ADMIN_TOKEN
                        + " characters without spaces (got " + t.length() + ")");
            }
        });
        if (gallerySize < 1 || gallerySize > 500) {
            throw new IllegalArgumentException("web.gallery-size must be 1..500; got " + gallerySize);
        }
        apiKeys = List.copyOf(apiKeys);
        Set<String> names = new TreeSet<>();
        for (ConfiguredKey k : apiKeys) {
            if (!ApiKeys.NAME.matcher(k.name()).matches()) {
                throw new IllegalArgumentException("web.api-keys: name '" + k.name() + "' must be 1-32 of a-z 0-9 _ -");
            }
            if (!names.add(k.name())) {
                throw new IllegalArgumentException("web.api-keys: two keys are named " + k.name());
            }
            if (!HEX64.matcher(k.sha256()).matches()) {
                throw new IllegalArgumentException("web.api-keys." + k.name()
                        + ".sha256 must be 64 lower-case hex digits (easel web --hash-key KEY prints it)");
            }
            k.plan().ifPresent(p -> checkId("web.api-keys." + k.name() + ".plan", p));
        }
        if (maxEventStreams < 0 || maxEventStreams > 64) {
            throw new IllegalArgumentException("web.max-event-streams must be 0..64; got " + maxEventStreams);
        }
        if (maxUploadBytes < 1024) {
            throw new IllegalArgumentException("web.max-upload-mb is too small");
        }
        if (!(defaultStrength > 0 && defaultStrength <= 1)) {
            throw new IllegalArgumentException("web.default-strength must be in (0, 1]; got " + defaultStrength);
        }
        if (sessionLifetime.isNegative() || sessionLifetime.isZero()) {
            throw new IllegalArgumentException("web.session-hours must be at least 1");
        }
    }

    private static void checkId(String key, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " must be 1-60 of A-Z a-z 0-9 _ . : -; got '" + value + "'");
        }
    }

    public static WebConfig defaults() {
        return fromTree(null, Map.of());
    }

    public boolean adminEnabled() {
        return adminToken.isPresent();
    }

    public WebConfig withBind(String newBind, int newPort) {
        return new WebConfig(newBind, newPort, guildId, userId, plan, adminToken, gallery, gallerySize, apiKeys,
                apiKeysFile, maxEventStreams, maxUploadBytes, defaultStrength, sessionLifetime);
    }

    public WebConfig withAdminToken(String token) {
        return new WebConfig(bind, port, guildId, userId, plan, Optional.ofNullable(token), gallery, gallerySize,
                apiKeys, apiKeysFile, maxEventStreams, maxUploadBytes, defaultStrength, sessionLifetime);
    }

    public WebConfig withUser(String user, String userPlan) {
        return new WebConfig(bind, port, guildId, user, Optional.ofNullable(userPlan), adminToken, gallery,
                gallerySize, apiKeys, apiKeysFile, maxEventStreams, maxUploadBytes, defaultStrength, sessionLifetime);
    }

    public WebConfig withApiKeys(List<ConfiguredKey> keys, Path file) {
        return new WebConfig(bind, port, guildId, userId, plan, adminToken, gallery, gallerySize, keys, file,
                maxEventStreams, maxUploadBytes, defaultStrength, sessionLifetime);
    }

    public WebConfig withMaxEventStreams(int n) {
        return new WebConfig(bind, port, guildId, userId, plan, adminToken, gallery, gallerySize, apiKeys,
                apiKeysFile, n, maxUploadBytes, defaultStrength, sessionLifetime);
    }

    /** Reads the {@code web} section of easel.yaml (a missing file means all defaults) and the environment. */
    public static WebConfig load(Path yaml, Map<String, String> env) {
        JsonNode root = null;
        if (yaml != null && Files.exists(yaml)) {
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + yaml + ": " + e.getMessage(), e);
            }
        }
        return fromTree(root, env);
    }

    public static WebConfig fromTree(JsonNode root, Map<String, String> env) {
        JsonNode web = root == null ? null : root.get("web");
        if (web != null && !web.isNull() && !web.isObject()) {
            throw new IllegalArgumentException("web must be a section of keys");
        }
        if (web != null && web.isNull()) {
            web = null;
        }
        if (web != null) {
            for (Iterator<String> it = web.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown key web." + key + "; known: "
                            + String.join(", ", new TreeSet<>(KEYS)));
                }
            }
        }
        String bind = env.getOrDefault("EASEL_WEB_BIND", text(web, "bind", "127.0.0.1"));
        int port = env.containsKey("EASEL_WEB_PORT") ? parsePort(env.get("EASEL_WEB_PORT"))
                : integer(web, "port", 8080);
        Optional<String> token = Optional.ofNullable(env.getOrDefault("EASEL_WEB_ADMIN_TOKEN",
                text(web, "admin-token", null))).filter(t -> !t.isEmpty());
        JsonNode galleryNode = web == null ? null : web.get("gallery");
        // YAML 1.1 reads a bare off/no as false (and on/yes as true).
        String galleryText = galleryNode != null && galleryNode.isBoolean()
                ? (galleryNode.booleanValue() ? "all" : "off") : text(web, "gallery", "all");
        Gallery gallery;
        try {
            gallery = Gallery.valueOf(galleryText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("web.gallery must be all, local or off; got '" + galleryText + "'", e);
        }
        List<ConfiguredKey> keys = new ArrayList<>();
        JsonNode list = web == null ? null : web.get("api-keys");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new IllegalArgumentException("web.api-keys must be a list of {name, plan, sha256}");
            }
            for (JsonNode k : list) {
                if (!k.isObject()) {
                    throw new IllegalArgumentException("web.api-keys entries must be {name, plan, sha256}");
                }
                for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!KEY_KEYS.contains(key)) {
                        throw new IllegalArgumentException("unknown key web.api-keys[]." + key
                                + "; known: name, plan, sha256");
                    }
                }
                String name = text(k, "name", "");
                keys.add(new ConfiguredKey(name, Optional.ofNullable(text(k, "plan", null)),
                        text(k, "sha256", "").toLowerCase(Locale.ROOT)));
            }
        }
        int hours = integer(web, "session-hours", 12);
        return new WebConfig(bind, port, text(web, "guild", "local"), text(web, "user", "local"),
                Optional.ofNullable(text(web, "plan", null)), token, gallery, integer(web, "gallery-size", 48), keys,
                Path.of(text(web, "api-keys-file", "data/api-keys.json")), integer(web, "max-event-streams", 4),
                integer(web, "max-upload-mb", 10) * 1024L * 1024L, decimal(web, "default-strength", 0.6),
                Duration.ofHours(hours));
    }

    private static int parsePort(String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EASEL_WEB_PORT must be a port number; got '" + v + "'", e);
        }
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException("web." + key + " must be a single value");
        }
        return v.asText();
    }

    private static int integer(JsonNode node, String key, int fallback) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("web." + key + " must be a whole number; got '" + v.asText() + "'");
        }
        return v.intValue();
    }

    private static double decimal(JsonNode node, String key, double fallback) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("web." + key + " must be a number; got '" + v.asText() + "'");
        }
        return v.doubleValue();
    }
}
