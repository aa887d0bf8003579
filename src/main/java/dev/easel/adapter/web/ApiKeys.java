package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys of the HTTP API. A key is {@code esl_} and 43 characters of base64url (256 random bits); only its
 * SHA-256 digest is kept (a plain digest suffices for random secrets of that size: there is nothing to guess).
 * Keys come from the config ({@code web.api-keys}, fixed) or are created on the admin page (stored in
 * {@code web.api-keys-file}, written atomically). Each key acts as its own member {@code api-<name>} of the web
 * guild, on the key's plan.
 */
public final class ApiKeys {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    public static final String PREFIX = "esl_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param plan       the plan the key's member is assigned; empty = the guild's default plan
     * @param fromConfig keys from easel.yaml cannot be revoked on the admin page
     */
    public record Key(String name, Optional<String> plan, String sha256, Instant createdAt, boolean fromConfig) {
        /** The quota member (and job owner) the key acts as. */
        public String userId() {
            return "api-" + name;
        }
    }

    /** A new key: {@code secret} is shown once and never stored. */
    public record Created(Key key, String secret) {
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, Key> byName = new LinkedHashMap<>();

    public ApiKeys(List<WebConfig.ConfiguredKey> configured, Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        Instant now = clock.instant();
        for (WebConfig.ConfiguredKey k : configured) {
            byName.put(k.name(), new Key(k.name(), k.plan(), k.sha256(), now, true));
        }
        if (file != null && Files.exists(file)) {
            for (Key k : read(file)) {
                if (byName.containsKey(k.name())) {
                    throw new IllegalArgumentException(file + ": key " + k.name()
                            + " is also in the config; rename or revoke one of them");
                }
                byName.put(k.name(), k);
            }
        }
    }

    /** The key whose secret this is. */
    public synchronized Optional<Key> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        byte[] digest = digest(secret);
        for (Key k : byName.values()) {
            // Constant-time comparison of the digests.
            if (MessageDigest.isEqual(digest, HexFormat.of().parseHex(k.sha256()))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public synchronized List<Key> list() {
        return List.copyOf(byName.values());
    }

    public synchronized Optional<Key> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Creates and stores a key; the answer carries its secret, which is not kept. */
    public synchronized Created create(String name, Optional<String> plan) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be 1-32 of a-z 0-9 _ -, starting with a letter or digit; got '"
                    + name + "'");
        }
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("name: a key named " + name + " already exists; revoke it first");
        }
        if (file == null) {
            throw new IllegalStateException("no api-keys-file is configured, so keys cannot be created here");
        }
        String secret = newSecret();
        Key key = new Key(name, plan, sha256(secret), clock.instant(), false);
        byName.put(name, key);
        try {
            write();
        } catch (RuntimeException e) {
            byName.remove(name);
            throw e;
        }
        return new Created(key, secret);
    }

    /** Revokes a key created on the admin page; false when there is none of that name. */
    public synchronized boolean revoke(String name) {
        Key k = byName.get(name);
        if (k == null) {
            return false;
        }
        if (k.fromConfig()) {
            throw new IllegalArgumentException("name: key " + name + " comes from easel.yaml (web.api-keys); "
                    + "remove it there and restart");
        }
        byName.remove(name);
        try {
            write();
        } catch (RuntimeException e) {
            byName.put(name, k);
            throw e;
        }
        return true;
    }

    /** A fresh secret: the prefix and 32 random bytes in base64url. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The lower-case hex SHA-256 of the key's UTF-8 bytes (what easel.yaml stores). */
    public static String sha256(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static List<Key> read(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            List<Key> out = new ArrayList<>();
            JsonNode keys = root == null ? null : root.get("keys");
            if (keys == null || !keys.isArray()) {
                throw new IllegalArgumentException(file + ": expected {\"keys\": [...]}");
            }
            for (JsonNode k : keys) {
                String name = k.path("name").asText("");
                String hash = k.path("sha256").asText("");
                if (!NAME.matcher(name).matches() || !hash.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException(file + ": a key needs a name (a-z 0-9 _ -) and a 64-digit "
                            + "sha256; got name '" + name + "'");
                }
                JsonNode plan = k.get("plan");
                out.add(new Key(name, plan == null || plan.isNull() ? Optional.empty() : Optional.of(plan.asText()),
                        hash, Instant.parse(k.path("createdAt").asText("1970-01-01T00:00:00Z")), false));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read API keys from " + file + ": " + e.getMessage(), e);
        }
    }

    private void write() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode keys = root.putArray("keys");
        for (Key k : byName.values()) {
            if (k.fromConfig()) {
                continue;
            }
            ObjectNode n = keys.addObject();
            n.put("name", k.name());
            n.put("plan", k.plan().orElse(null));
            n.put("sha256", k.sha256());
            n.put("createdAt", k.createdAt().toString());
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".api-keys-", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's permissions apply
                }
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write API keys to " + file + ": " + e.getMessage(), e);
        }
    }
}
