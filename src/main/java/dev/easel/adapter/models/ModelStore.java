package dev.easel.adapter.models;

import dev.easel.config.EaselConfig;
import dev.easel.sd.weights.JsonConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The models folder: one diffusers folder per installed model ({@code models/<name>/model_index.json}), downloads
 * and imports in progress in {@code models/.partial-<name>/}. A model appears under its name only by one atomic
 * rename of a complete, verified folder, so a half model never loads.
 */
public final class ModelStore {
    static final String PARTIAL = ".partial-";
    private final Path root;

    /** An installed model. {@code manifest} is null for folders put there by hand. */
    public record Installed(String name, Path dir, long bytes, String architecture, ModelManifest manifest) {
    }

    /** An interrupted download or import: run the same command again to resume. */
    public record Partial(String name, Path dir, long bytes) {
    }

    public ModelStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public static void checkName(String name) {
        if (!EaselConfig.ModelNames.isValid(name)) {
            throw new IllegalArgumentException("model name '" + name + "' is not allowed; use "
                    + EaselConfig.ModelNames.RULE);
        }
    }

    public Path dir(String name) {
        checkName(name);
        return root.resolve(name);
    }

    public Path staging(String name) {
        checkName(name);
        return root.resolve(PARTIAL + name);
    }

    public boolean isInstalled(String name) {
        return Files.isRegularFile(dir(name).resolve("model_index.json"));
    }

    /**
     * Moves a complete staging folder to {@code models/<name>} in one rename. With {@code replace}, an installed
     * model of that name is moved aside first and deleted after.
     */
    public Path install(Path staging, String name, boolean replace) throws IOException {
        Path target = dir(name);
        Path old = null;
        if (Files.exists(target)) {
            if (!replace) {
                throw new FileAlreadyExistsException(target.toString(), null, "a model named " + name
                        + " is already installed");
            }
            old = root.resolve(".old-" + name + "-" + System.nanoTime());
            move(target, old);
        }
        try {
            move(staging, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
        return target;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " in one step (" + e.getMessage()
                    + "): keep models/ on one file system", e);
        }
    }

    /** Installed models by name, then interrupted ones. */
    public List<Installed> installed() throws IOException {
        List<Installed> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") || !Files.isRegularFile(p.resolve("model_index.json"))) {
                    continue;
                }
                ModelManifest m = ModelManifest.read(p);
                String arch = m != null && m.architecture() != null ? m.architecture() : architecture(p);
                out.add(new Installed(n, p, size(p), arch, m));
            }
        }
        return out;
    }

    public List<Partial> partials() throws IOException {
        List<Partial> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(PARTIAL) && Files.isDirectory(p)) {
                    out.add(new Partial(n.substring(PARTIAL.length()), p, size(p)));
                }
            }
        }
        return out;
    }

    /** Deletes an installed model and any interrupted download of that name; false when neither exists. */
    public boolean remove(String name) throws IOException {
        Path target = dir(name);
        Path staging = staging(name);
        boolean any = false;
        if (Files.exists(target)) {
            if (!Files.isRegularFile(target.resolve("model_index.json")) && !Files.isRegularFile(target.resolve(
                    ModelManifest.FILE))) {
                throw new IOException(target + " does not look like a model folder (no model_index.json);"
                        + " not deleting it");
            }
            // rename first so that a half-deleted folder never looks like a model
            Path doomed = root.resolve(".removing-" + name + "-" + System.nanoTime());
            move(target, doomed);
            deleteTree(doomed);
            any = true;
        }
        if (Files.exists(staging)) {
            deleteTree(staging);
            any = true;
        }
        return any;
    }

    /** "SD 1.x" / "SD 2.x" from the UNet's cross-attention width (768 CLIP ViT-L, 1024 OpenCLIP ViT-H). */
    static String architecture(Path dir) {
        try {
            int dim = JsonConfig.read(dir.resolve("unet/config.json")).getInt("cross_attention_dim", -1);
            return dim == 768 ? "SD 1.x" : dim == 1024 ? "SD 2.x" : "custom (cross-attention " + dim + ")";
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
