package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code easel-model.json} in an installed model's folder: where it came from (a hub repo at a commit, or an
 * imported single-file checkpoint), its licence, and each file's size and sha256 as verified on arrival.
 *
 * @param source   "hub" or "import"
 * @param origin   the repo id, or the imported file's name
 * @param revision the requested revision (hub) or null
 * @param commit   the commit the files came from (hub) or the checkpoint's sha256 (import)
 */
public record ModelManifest(String source, String origin, String revision, String commit, String variant,
                            String license, String architecture, Instant installedAt, List<Entry> files) {
    public static final String FILE = "easel-model.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record Entry(String path, long size, String sha256) {
    }

    public void write(Path dir) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", source);
        n.put("origin", origin);
        n.put("revision", revision);
        n.put("commit", commit);
        n.put("variant", variant);
        n.put("license", license);
        n.put("architecture", architecture);
        n.put("installed_at", installedAt.toString());
        ArrayNode a = n.putArray("files");
        for (Entry e : files) {
            ObjectNode f = a.addObject();
            f.put("path", e.path());
            f.put("size", e.size());
            f.put("sha256", e.sha256());
        }
        Files.writeString(dir.resolve(FILE), JSON.writeValueAsString(n) + "\n");
    }

    /** The manifest of a model folder, or null when it has none (copied in by hand) or it is unreadable. */
    public static ModelManifest read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            List<Entry> files = new ArrayList<>();
            for (JsonNode e : n.path("files")) {
                files.add(new Entry(e.path("path").asText(), e.path("size").asLong(), e.path("sha256").asText(null)));
            }
            return new ModelManifest(n.path("source").asText(null), n.path("origin").asText(null),
                    n.path("revision").asText(null), n.path("commit").asText(null), n.path("variant").asText(null),
                    n.path("license").asText(null), n.path("architecture").asText(null),
                    n.hasNonNull("installed_at") ? Instant.parse(n.get("installed_at").asText()) : null, List.copyOf(files));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
