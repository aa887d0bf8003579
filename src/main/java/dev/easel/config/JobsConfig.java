package dev.easel.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.application.QueueSettings;
import dev.easel.application.VariationSettings;
import dev.easel.application.WorkerSettings;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.job.Sampler;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The generation service's part of easel.yaml: sections {@code database}, {@code storage}, {@code generation},
 * {@code queue} and {@code worker} (other sections are left to their owners). Every key is optional; unknown keys
 * in these sections are errors. Environment overrides: {@code EASEL_DATABASE_URL}, {@code EASEL_DATABASE_USER},
 * {@code EASEL_DATABASE_PASSWORD}, {@code EASEL_IMAGES_DIR}, {@code EASEL_WORKER_ID}.
 *
 * @param caps the per-user caps and plan of the built-in quota (used until the plan-based quota is plugged in)
 */
public record JobsConfig(DatabaseSettings database, Path imagesDir, PromptParser.Settings generation,
                         VariationSettings variations, QueueSettings queue, WorkerSettings worker, Caps caps) {

    /** The built-in quota: one plan for everyone. */
    public record Caps(String planName, Lane lane, int maxRunningPerUser, int maxQueuedPerUser) {
    }

    static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password", "pool-size");
    static final Set<String> STORAGE_KEYS = Set.of("images-dir");
    static final Set<String> GENERATION_KEYS = Set.of("model", "native-size", "default-steps",
            "default-guidance", "default-sampler", "max-side", "max-steps", "candidates", "max-prompt-length",
            "variation-subtle-strength", "variation-strong-strength", "upscale-strength", "upscale-scale");
    static final Set<String> QUEUE_KEYS = Set.of("plan-name", "lane", "max-running-per-user",
            "max-queued-per-user", "claim-window", "standings-window", "eta-history", "default-ms-per-step",
            "worker-activity-seconds");
    static final Set<String> WORKER_KEYS = Set.of("id", "max-batch-images", "merge-lookahead",
            "poll-interval-ms", "heartbeat-ms", "lease-timeout-ms", "max-attempts", "preview-every-steps",
            "cancel-poll-ms", "recovery-interval-ms",
            "shutdown-timeout" /* read by EaselConfig */);

    public static JobsConfig defaults() {
        return fromTree(null, Map.of());
    }

    /** Reads easel.yaml (a missing file means all defaults) and applies the environment overrides. */
    public static JobsConfig load(Path yaml, Map<String, String> env) {
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

    public static JobsConfig fromTree(JsonNode root, Map<String, String> env) {
        Section db = new Section(root, "database", DATABASE_KEYS);
        Section storage = new Section(root, "storage", STORAGE_KEYS);
        Section gen = new Section(root, "generation", GENERATION_KEYS);
        Section queue = new Section(root, "queue", QUEUE_KEYS);
        Section worker = new Section(root, "worker", WORKER_KEYS);

        DatabaseSettings database = new DatabaseSettings(
                env.getOrDefault("EASEL_DATABASE_URL", db.text("url", DatabaseSettings.DEFAULT_URL)),
                env.getOrDefault("EASEL_DATABASE_USER", db.text("user", "sa")),
                env.getOrDefault("EASEL_DATABASE_PASSWORD", db.text("password", "")),
                db.integer("pool-size", 8));
        Path images = Path.of(env.getOrDefault("EASEL_IMAGES_DIR", storage.text("images-dir", "data/images")));

        String samplerId = gen.text("default-sampler", Sampler.DEFAULT.id());
        Sampler sampler = Sampler.fromId(samplerId).orElseThrow(() -> new IllegalArgumentException(
                "generation.default-sampler '" + samplerId + "' is unknown; known: " + String.join(", ", Sampler.ids())));
        PromptParser.Settings parser = new PromptParser.Settings(gen.text("model", "sd15"),
                gen.integer("native-size", 512), gen.integer("default-steps", 30),
                gen.decimal("default-guidance", 7.5), sampler, gen.integer("max-side", 1024),
                gen.integer("max-steps", PromptParser.ABSOLUTE_MAX_STEPS), gen.integer("candidates", 4),
                gen.integer("max-prompt-length", 2000));
        VariationSettings variations = new VariationSettings(gen.decimal("variation-subtle-strength", 0.35),
                gen.decimal("variation-strong-strength", 0.75), gen.decimal("upscale-strength", 0.3),
                parser.candidates());

        QueueSettings queueSettings = new QueueSettings(queue.integer("claim-window", 500),
                queue.integer("standings-window", 2000), queue.integer("eta-history", 50),
                queue.decimal("default-ms-per-step", 250), Duration.ofSeconds(queue.integer("worker-activity-seconds", 300)));
        String laneName = queue.text("lane", "fast");
        Lane lane;
        try {
            lane = Lane.valueOf(laneName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("queue.lane '" + laneName + "' is unknown; use fast or relax", e);
        }
        Caps caps = new Caps(queue.text("plan-name", "default"), lane, queue.integer("max-running-per-user", 1),
                queue.integer("max-queued-per-user", 5));

        WorkerSettings workerSettings = new WorkerSettings(
                env.getOrDefault("EASEL_WORKER_ID", worker.text("id", defaultWorkerId())),
                worker.integer("max-batch-images", 8), worker.integer("merge-lookahead", 8),
                Duration.ofMillis(worker.integer("poll-interval-ms", 500)),
                Duration.ofMillis(worker.integer("heartbeat-ms", 5000)),
                Duration.ofMillis(worker.integer("lease-timeout-ms", 60000)), worker.integer("max-attempts", 2),
                worker.integer("preview-every-steps", 5), Duration.ofMillis(worker.integer("cancel-poll-ms", 1000)),
                Duration.ofMillis(worker.integer("recovery-interval-ms", 30000)), gen.integer("upscale-scale", 2));
        return new JobsConfig(database, images, parser, variations, queueSettings, workerSettings, caps);
    }

    /** The host name: stable across restarts of the same machine or container, distinct between them. */
    static String defaultWorkerId() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            return host == null || host.isBlank() ? "worker" : host;
        } catch (IOException e) {
            return "worker";
        }
    }

    private static final class Section {
        private final JsonNode node;
        private final String name;

        Section(JsonNode root, String name, Set<String> known) {
            this.name = name;
            JsonNode n = root == null ? null : root.get(name);
            if (n != null && !n.isNull() && !n.isObject()) {
                throw new IllegalArgumentException(name + " must be a section of keys");
            }
            this.node = n == null || n.isNull() ? null : n;
            if (node != null) {
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!known.contains(key)) {
                        throw new IllegalArgumentException("unknown key " + name + "." + key + "; known: "
                                + String.join(", ", known.stream().sorted().toList()));
                    }
                }
            }
        }

        private JsonNode get(String key) {
            JsonNode v = node == null ? null : node.get(key);
            return v == null || v.isNull() ? null : v;
        }

        String text(String key, String fallback) {
            JsonNode v = get(key);
            return v == null ? fallback : v.asText();
        }

        int integer(String key, int fallback) {
            JsonNode v = get(key);
            if (v == null) {
                return fallback;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new IllegalArgumentException(name + "." + key + " must be a whole number; got '" + v.asText() + "'");
            }
            return v.intValue();
        }

        double decimal(String key, double fallback) {
            JsonNode v = get(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isNumber()) {
                throw new IllegalArgumentException(name + "." + key + " must be a number; got '" + v.asText() + "'");
            }
            return v.doubleValue();
        }
    }
}
