package dev.easel.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.domain.quota.PlanDefaults;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything one Easel process reads from {@code config/easel.yaml}: the sections {@code bot}, {@code model},
 * {@code http}, {@code hub}, {@code quota} and {@code log} are read here; {@code database}, {@code storage},
 * {@code generation}, {@code queue} and {@code worker} by {@link JobsConfig} and the plans file named by
 * {@code quota.plans-file} by {@link PlansConfig} (composed, not duplicated).
 *
 * <p>Environment overrides: every key {@code section.some-key} can be set with {@code EASEL_SECTION_SOME_KEY}
 * (upper case, {@code -} becomes {@code _}), e.g. {@code http.port} → {@code EASEL_HTTP_PORT}. Besides:
 * {@code DISCORD_TOKEN} (the bot's token: only from the environment), {@code HF_TOKEN} (Hugging Face access token),
 * {@code HF_ENDPOINT} (the hub's address, below {@code EASEL_HUB_ENDPOINT}) and the older names JobsConfig reads
 * ({@code EASEL_IMAGES_DIR}, {@code EASEL_WORKER_ID}).
 *
 * <p>Any bad value stops start-up with a {@link ConfigException} naming the key, the value (and the environment
 * variable it came from) and what is allowed.
 *
 * @param shutdownTimeout {@code worker.shutdown-timeout}: how long SIGTERM may take; the running job finishes or
 *                        goes back to the queue within it
 * @param plansFile       {@code quota.plans-file}; {@link #plans()} is its parsed content
 */
public record EaselConfig(Path source, Bot bot, Model model, Http http, Hub hub, LogFormat logFormat,
                          Duration shutdownTimeout, JobsConfig jobs, Path plansFile, PlanDefaults plans) {

    public static final Path DEFAULT_FILE = Path.of("config/easel.yaml");

    /**
     * The Discord side. The token never comes from a file.
     *
     * @param token      {@code DISCORD_TOKEN}, or null when the bot is not to run
     * @param restUrl    Discord's REST API base (a stand-in Discord on 127.0.0.1 in tests)
     * @param gatewayUrl the gateway WebSocket URL
     */
    public record Bot(String token, URI restUrl, URI gatewayUrl) {
        public boolean enabled() {
            return token != null;
        }

        @Override
        public String toString() {
            return "Bot[token=" + (token == null ? "none" : "***") + ", restUrl=" + restUrl + ", gatewayUrl="
                    + gatewayUrl + "]";
        }
    }

    /**
     * The Stable Diffusion model this process loads.
     *
     * @param modelsDir   where models live, one diffusers folder each ({@code models/<name>/model_index.json})
     * @param name        the folder the worker loads
     * @param defaultRepo what {@code easel start} offers to pull when nothing is installed
     * @param device      auto | cpu | cuda | cuda:N
     * @param precision   auto | fp16 | fp32
     * @param variant     weight variant to prefer when loading and pulling ("fp16"), or "" for the plain files
     * @param demo        with no model installed, run the {@code tiny} preset with random weights instead of stopping
     */
    public record Model(Path modelsDir, String name, String defaultRepo, String device, String precision,
                        String variant, boolean demo) {
        public Path dir() {
            return modelsDir.resolve(name);
        }

        /** The variant for {@code StableDiffusionPipeline.load}: null for the plain files. */
        public String variantOrNull() {
            return variant.isEmpty() ? null : variant;
        }
    }

    /**
     * The local HTTP server (console, API, /healthz, /metrics).
     *
     * @param adminToken bearer token of the admin pages; null = admin pages off
     */
    public record Http(boolean enabled, String bind, int port, String adminToken) {
        @Override
        public String toString() {
            return "Http[enabled=" + enabled + ", bind=" + bind + ", port=" + port + ", adminToken="
                    + (adminToken == null ? "none" : "***") + "]";
        }
    }

    /**
     * The Hugging Face hub that {@code easel models pull} downloads from.
     *
     * @param token {@code HF_TOKEN}, sent as {@code Authorization: Bearer}; null when unset
     */
    public record Hub(URI endpoint, String token) {
        @Override
        public String toString() {
            return "Hub[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "***") + "]";
        }
    }

    public enum LogFormat {
        TEXT, JSON
    }

    /** An invalid setting: the message names the key, the value, where it came from and what is allowed. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String message) {
            super(message);
        }

        public ConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- keys -------------------------------------------------------------------------------------------------

    static final Set<String> BOT_KEYS = Set.of("rest-url", "gateway-url", "gateway-compression", "command-guilds",
            "progress-interval-ms", "delivery-interval-ms", "threads", "workers");
    static final Set<String> MODEL_KEYS = Set.of("models-dir", "name", "default-repo", "device", "precision",
            "variant", "demo");
    static final Set<String> HTTP_KEYS = Set.of("enabled", "bind", "port", "admin-token");
    static final Set<String> HUB_KEYS = Set.of("endpoint");
    static final Set<String> QUOTA_KEYS = Set.of("plans-file");
    static final Set<String> LOG_KEYS = Set.of("format");

    /** Every section and its keys, in the order of config/easel.yaml. */
    static final Map<String, Set<String>> SECTIONS = sections();

    private static Map<String, Set<String>> sections() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("bot", BOT_KEYS);
        m.put("model", MODEL_KEYS);
        m.put("http", HTTP_KEYS);
        m.put("hub", HUB_KEYS);
        m.put("database", JobsConfig.DATABASE_KEYS);
        m.put("storage", JobsConfig.STORAGE_KEYS);
        m.put("generation", JobsConfig.GENERATION_KEYS);
        m.put("queue", JobsConfig.QUEUE_KEYS);
        m.put("worker", JobsConfig.WORKER_KEYS);
        m.put("quota", QUOTA_KEYS);
        m.put("log", LOG_KEYS);
        return m;
    }

    /** The environment variable that overrides {@code section.key}. */
    public static String envName(String section, String key) {
        return "EASEL_" + (section + "_" + key).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** All overridable keys with their environment variables, e.g. {@code http.port → EASEL_HTTP_PORT}. */
    public static Map<String, String> environmentOverrides() {
        Map<String, String> m = new LinkedHashMap<>();
        SECTIONS.forEach((section, keys) -> keys.stream().sorted()
                .forEach(k -> m.put(section + "." + k, envName(section, k))));
        return m;
    }

    // ---- loading ----------------------------------------------------------------------------------------------

    /** Reads the file (missing = all defaults) and applies the environment. */
    public static EaselConfig load(Path yaml, Map<String, String> env) {
        ObjectNode root;
        String source = yaml == null ? "defaults" : yaml.toString();
        if (yaml != null && Files.exists(yaml)) {
            try {
                JsonNode tree = new ObjectMapper(new YAMLFactory())
                        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readTree(yaml.toFile());
                if (tree == null || tree.isMissingNode() || tree.isNull()) {
                    root = JsonNodeFactory.instance.objectNode();
                } else if (tree.isObject()) {
                    root = (ObjectNode) tree;
                } else {
                    throw new ConfigException(yaml + ": expected a mapping of sections (" + String.join(", ",
                            SECTIONS.keySet()) + ")");
                }
            } catch (JsonProcessingException e) {
                throw new ConfigException(yaml + ": not valid YAML: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new ConfigException("cannot read " + yaml + ": " + e.getMessage(), e);
            }
        } else {
            root = JsonNodeFactory.instance.objectNode();
        }
        return fromTree(yaml, source, root, env);
    }

    static EaselConfig fromTree(Path yaml, String source, ObjectNode fileTree, Map<String, String> env) {
        Loader l = new Loader(source, fileTree.deepCopy(), env);
        return l.load(yaml);
    }

    /** One load: the merged tree (file + environment) and where each overridden key came from. */
    private static final class Loader {
        private final String source;
        private final ObjectNode root;
        private final Map<String, String> env;
        private final Map<String, String> fromEnv = new LinkedHashMap<>();

        Loader(String source, ObjectNode root, Map<String, String> env) {
            this.source = source;
            this.root = root;
            this.env = env;
        }

        EaselConfig load(Path yaml) {
            checkStructure();
            JsonNode token = section("bot") == null ? null : section("bot").get("token");
            if (token != null) {
                throw new ConfigException(source + ": bot.token must not be written in a file; set the DISCORD_TOKEN"
                        + " environment variable instead (secrets stay out of files and version control)");
            }
            applyEnvironment();

            // bot
            String discordToken = blankToNull(env.get("DISCORD_TOKEN"));
            Bot bot = new Bot(discordToken, url("bot", "rest-url", "https://discord.com/api/v10/", "http", "https"),
                    url("bot", "gateway-url", "wss://gateway.discord.gg", "ws", "wss"));

            // model
            Path modelsDir = path("model", "models-dir", "models");
            String name = text("model", "name", "stable-diffusion-v1-5");
            requireFolderName("model", "name", name);
            String repo = text("model", "default-repo", "stable-diffusion-v1-5/stable-diffusion-v1-5");
            if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw invalid("model", "default-repo", repo, "a Hugging Face model id: owner/name");
            }
            String device = text("model", "device", "auto").trim().toLowerCase(Locale.ROOT);
            if (!device.matches("auto|cpu|cuda|cuda:\\d+")) {
                throw invalid("model", "device", device, "one of auto, cpu, cuda, cuda:N");
            }
            String precision = text("model", "precision", "auto").trim().toLowerCase(Locale.ROOT);
            if (!precision.matches("auto|fp16|fp32")) {
                throw invalid("model", "precision", precision, "one of auto, fp16, fp32");
            }
            if (precision.equals("fp16") && device.equals("cpu")) {
                throw invalid("model", "precision", precision,
                        "fp32 or auto with model.device cpu (fp16 runs only on a CUDA GPU)");
            }
            String variant = text("model", "variant", "").trim();
            if (!variant.isEmpty() && !variant.matches("[a-z0-9_]{1,20}")) {
                throw invalid("model", "variant", variant,
                        "empty (the plain weights) or a variant name such as fp16 (a-z, 0-9, _)");
            }
            Model model = new Model(modelsDir, name, repo, device, precision, variant,
                    bool("model", "demo", false));

            // http
            String bind = text("http", "bind", "127.0.0.1").trim();
            if (bind.isEmpty() || !bind.matches("[A-Za-z0-9.:\\[\\]-]+")) {
                throw invalid("http", "bind", bind, "an interface address such as 127.0.0.1, 0.0.0.0 or ::1");
            }
            int port = integer("http", "port", 8080, 0, 65535, "a port number 1..65535 (0: any free port)");
            String admin = blankToNull(text("http", "admin-token", ""));
            if (admin != null && admin.length() < 16) {
                throw new ConfigException(where("http", "admin-token") + ": the admin token has " + admin.length()
                        + " characters; use at least 16 (e.g. openssl rand -hex 24), or leave it empty to turn the"
                        + " admin pages off");
            }
            Http http = new Http(bool("http", "enabled", true), bind, port, admin);

            // hub: EASEL_HUB_ENDPOINT (applied above) > HF_ENDPOINT > file > default
            if (!fromEnv.containsKey("hub.endpoint") && blankToNull(env.get("HF_ENDPOINT")) != null) {
                put("hub", "endpoint", TextNode.valueOf(env.get("HF_ENDPOINT").trim()));
                fromEnv.put("hub.endpoint", "HF_ENDPOINT");
            }
            Hub hub = new Hub(url("hub", "endpoint", "https://huggingface.co", "http", "https"),
                    blankToNull(env.get("HF_TOKEN")));

            // log
            String format = text("log", "format", "text").trim().toLowerCase(Locale.ROOT);
            LogFormat logFormat = switch (format) {
                case "text" -> LogFormat.TEXT;
                case "json" -> LogFormat.JSON;
                default -> throw invalid("log", "format", format, "text or json");
            };

            // worker.shutdown-timeout (the rest of the worker section is JobsConfig's)
            Duration shutdown = duration("worker", "shutdown-timeout", Duration.ofSeconds(30));

            // the job service's sections; the model name jobs record defaults to the model's folder name
            if (get("generation", "model") == null) {
                put("generation", "model", TextNode.valueOf(name));
            }
            JobsConfig jobs;
            try {
                jobs = JobsConfig.fromTree(root, env);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + ": " + e.getMessage() + envHint(e.getMessage()), e);
            }

            // plans
            Path plansFile = path("quota", "plans-file", "config/plans.yaml");
            PlanDefaults plans;
            try {
                plans = PlansConfig.load(plansFile);
            } catch (IOException e) {
                throw new ConfigException(where("quota", "plans-file") + " = '" + plansFile + "': " + e.getMessage(),
                        e);
            }
            return new EaselConfig(yaml, bot, model, http, hub, logFormat, shutdown, jobs, plansFile, plans);
        }

        private void checkStructure() {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String s = it.next();
                if (!SECTIONS.containsKey(s)) {
                    throw new ConfigException(source + ": unknown section '" + s + "'; known sections: "
                            + String.join(", ", SECTIONS.keySet()));
                }
                JsonNode n = root.get(s);
                if (n.isNull()) {
                    continue;
                }
                if (!n.isObject()) {
                    throw new ConfigException(source + ": " + s + " must be a section of keys (key: value lines"
                            + " indented below it); got '" + n.asText() + "'");
                }
                Set<String> known = SECTIONS.get(s);
                for (Iterator<String> keys = n.fieldNames(); keys.hasNext(); ) {
                    String k = keys.next();
                    if (s.equals("bot") && k.equals("token")) {
                        continue; // refused with its own message
                    }
                    if (!known.contains(k)) {
                        throw new ConfigException(source + ": unknown key " + s + "." + k + "; known keys of " + s
                                + ": " + String.join(", ", known.stream().sorted().toList()));
                    }
                }
            }
        }

        /** EASEL_SECTION_KEY variables replace the file's values (typed as YAML would type them). */
        private void applyEnvironment() {
            SECTIONS.forEach((section, keys) -> {
                for (String key : keys) {
                    String var = envName(section, key);
                    String value = env.get(var);
                    if (value != null) {
                        put(section, key, scalar(value));
                        fromEnv.put(section + "." + key, var);
                    }
                }
            });
        }

        private static JsonNode scalar(String v) {
            String t = v.trim();
            // numbers only when they read back the same ("007" stays text: it may be a password or an id)
            if (t.matches("-?\\d{1,18}") && Long.toString(Long.parseLong(t)).equals(t)) {
                return LongNode.valueOf(Long.parseLong(t));
            }
            if (t.matches("-?\\d+\\.\\d+")) {
                return DecimalNode.valueOf(new BigDecimal(t)); // prints back exactly as written
            }
            if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                return BooleanNode.valueOf(Boolean.parseBoolean(t.toLowerCase(Locale.ROOT)));
            }
            return TextNode.valueOf(v);
        }

        private ObjectNode section(String s) {
            JsonNode n = root.get(s);
            return n instanceof ObjectNode o ? o : null;
        }

        private void put(String s, String key, JsonNode value) {
            ObjectNode sec = section(s);
            if (sec == null) {
                sec = root.putObject(s);
            }
            sec.set(key, value);
        }

        private JsonNode get(String s, String key) {
            ObjectNode sec = section(s);
            JsonNode v = sec == null ? null : sec.get(key);
            return v == null || v.isNull() ? null : v;
        }

        /** "http.port (from EASEL_HTTP_PORT)" or "config/easel.yaml: http.port". */
        private String where(String s, String key) {
            String var = fromEnv.get(s + "." + key);
            return var != null ? s + "." + key + " (from " + var + ")" : source + ": " + s + "." + key;
        }

        private ConfigException invalid(String s, String key, String value, String allowed) {
            return new ConfigException(where(s, key) + " = '" + value + "' is not allowed; expected " + allowed);
        }

        /** JobsConfig's messages start with the key; say which variable set it when the environment did. */
        private String envHint(String message) {
            List<String> hints = new ArrayList<>();
            fromEnv.forEach((key, var) -> {
                if (message != null && message.contains(key)) {
                    hints.add(var);
                }
            });
            return hints.isEmpty() ? "" : " (set by " + String.join(", ", hints) + ")";
        }

        private String text(String s, String key, String fallback) {
            JsonNode v = get(s, key);
            if (v == null) {
                return fallback;
            }
            if (!v.isValueNode()) {
                throw invalid(s, key, v.toString(), "a single value, not a list or section");
            }
            return v.asText();
        }

        private boolean bool(String s, String key, boolean fallback) {
            JsonNode v = get(s, key);
            if (v == null) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw invalid(s, key, v.asText(), "true or false");
            }
            return v.booleanValue();
        }

        private int integer(String s, String key, int fallback, int min, int max, String allowed) {
            JsonNode v = get(s, key);
            if (v == null) {
                return fallback;
            }
            long n;
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                n = v.longValue();
            } else if (v.isTextual() && v.asText().trim().matches("-?\\d{1,10}")) {
                n = Long.parseLong(v.asText().trim());
            } else {
                throw invalid(s, key, v.asText(), allowed);
            }
            if (n < min || n > max) {
                throw invalid(s, key, v.asText(), allowed);
            }
            return (int) n;
        }

        private Path path(String s, String key, String fallback) {
            String t = text(s, key, fallback);
            if (t.isBlank()) {
                throw invalid(s, key, t, "a file or folder path");
            }
            try {
                return Path.of(t);
            } catch (InvalidPathException e) {
                throw invalid(s, key, t, "a file or folder path (" + e.getReason() + ")");
            }
        }

        private URI url(String s, String key, String fallback, String... schemes) {
            String t = text(s, key, fallback).trim();
            String allowed = "an absolute " + String.join(" or ", schemes) + " URL, e.g. " + fallback;
            URI uri;
            try {
                uri = new URI(t);
            } catch (URISyntaxException e) {
                throw invalid(s, key, t, allowed);
            }
            if (uri.getScheme() == null || uri.getHost() == null
                    || !List.of(schemes).contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                throw invalid(s, key, t, allowed);
            }
            return uri;
        }

        private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)?");

        private Duration duration(String s, String key, Duration fallback) {
            JsonNode v = get(s, key);
            if (v == null) {
                return fallback;
            }
            String allowed = "a duration such as 30s, 2m or 1500ms (a bare number means seconds), from 1s to 1h";
            Matcher m = DURATION.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
            if (!v.isValueNode() || !m.matches()) {
                throw invalid(s, key, v.asText(), allowed);
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double millis = amount * switch (unit) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m", "min" -> 60_000;
                default -> 3_600_000;
            };
            if (millis < 1_000 || millis > 3_600_000) {
                throw invalid(s, key, v.asText(), allowed);
            }
            return Duration.ofMillis(Math.round(millis));
        }

        private void requireFolderName(String s, String key, String value) {
            if (!ModelNames.isValid(value)) {
                throw invalid(s, key, value, ModelNames.RULE);
            }
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v.trim();
        }
    }

    /** The rule for model folder names (shared with the models command). */
    public static final class ModelNames {
        public static final String RULE = "a folder name of letters, digits, '.', '_' and '-' that does not start"
                + " with '.' (at most 100 characters)";

        private ModelNames() {
        }

        public static boolean isValid(String name) {
            return name != null && name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
        }
    }
}
