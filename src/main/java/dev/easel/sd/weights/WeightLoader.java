package dev.easel.sd.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.models.Module;
import dev.easel.sd.models.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Fills a {@link Module}'s parameters from safetensors files. Every parameter must be present
 * with exactly the shape the config implies; missing and unexpected names are reported by name
 * and a wrong shape by key and both shapes, so a checkpoint that does not match its config is
 * refused before anything runs.
 */
public final class WeightLoader {
    private WeightLoader() {
    }

    /** The weight files of a diffusers component folder, preferring {@code <stem>.<variant>.safetensors}. */
    public static List<Path> componentFiles(Path dir, String stem, String variant) throws IOException {
        if (variant != null && !variant.isBlank()) {
            Path v = dir.resolve(stem + "." + variant + ".safetensors");
            if (Files.isRegularFile(v)) {
                return List.of(v);
            }
        }
        Path plain = dir.resolve(stem + ".safetensors");
        if (Files.isRegularFile(plain)) {
            return List.of(plain);
        }
        // Sharded checkpoints: <stem>-00001-of-00002.safetensors listed by an index file.
        List<Path> shards = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(stem + "-") && n.endsWith(".safetensors")
                            && (variant == null || variant.isBlank() ? !n.contains(".fp16.") : n.contains("." + variant + "."));
                }).sorted().forEach(shards::add);
            }
        }
        if (!shards.isEmpty()) {
            return shards;
        }
        throw new SafetensorsException("no weights in " + dir + ": expected " + stem + ".safetensors"
                + (variant == null || variant.isBlank() ? "" : " or " + stem + "." + variant + ".safetensors")
                + " (only the safetensors format is supported)");
    }

    /**
     * Loads {@code files} into {@code root}.
     *
     * @param rename  maps a checkpoint key to the module's name for it (legacy names), identity if none
     * @param ignored checkpoint keys that may be present without a parameter (e.g. old buffers)
     */
    public static void load(Module root, List<Path> files, NDManager manager, DataType dtype,
                            UnaryOperator<String> rename, Set<String> ignored) throws IOException {
        Map<String, Parameter> params = root.namedParameters();
        Map<String, Source> sources = new LinkedHashMap<>();
        List<SafetensorsFile> open = new ArrayList<>();
        try {
            for (Path f : files) {
                SafetensorsFile sf = SafetensorsFile.open(f);
                open.add(sf);
                for (String key : sf.tensors().keySet()) {
                    sources.put(rename.apply(key), new Source(sf, key));
                }
            }
            Set<String> missing = new TreeSet<>();
            for (String name : params.keySet()) {
                if (!sources.containsKey(name)) {
                    missing.add(name);
                }
            }
            Set<String> unexpected = new TreeSet<>();
            for (String name : sources.keySet()) {
                if (!params.containsKey(name) && !ignored.contains(name)) {
                    unexpected.add(name);
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                StringBuilder sb = new StringBuilder("weights in " + files + " do not match the model's config:");
                if (!missing.isEmpty()) {
                    sb.append("\n  missing (").append(missing.size()).append("): ").append(abbreviate(missing));
                }
                if (!unexpected.isEmpty()) {
                    sb.append("\n  unexpected (").append(unexpected.size()).append("): ").append(abbreviate(unexpected));
                }
                throw new SafetensorsException(sb.toString());
            }
            // Check every shape before allocating anything.
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                Source src = sources.get(e.getKey());
                TensorInfo info = src.file.info(src.key);
                Shape want = e.getValue().shape();
                Shape got = new Shape(info.shape());
                if (!got.equals(want) && !sameUpToTrailingOnes(got, want)) {
                    throw new SafetensorsException("weight '" + src.key + "' in " + src.file.path()
                            + " has shape " + got + " but the config expects " + want);
                }
            }
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                Source src = sources.get(e.getKey());
                NDArray a = src.file.toNDArray(manager, src.key, dtype);
                Shape want = e.getValue().shape();
                if (!a.getShape().equals(want)) {
                    a = a.reshape(want); // e.g. legacy 1×1-conv attention weights [C, C, 1, 1] -> [C, C]
                }
                e.getValue().set(a);
            }
        } finally {
            for (SafetensorsFile sf : open) {
                sf.close();
            }
        }
    }

    private record Source(SafetensorsFile file, String key) {
    }

    static boolean sameUpToTrailingOnes(Shape a, Shape b) {
        return strip(a).equals(strip(b));
    }

    private static Shape strip(Shape s) {
        int n = s.dimension();
        while (n > 1 && s.get(n - 1) == 1) {
            n--;
        }
        return s.slice(0, n);
    }

    private static String abbreviate(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        if (list.size() <= 12) {
            return String.join(", ", list);
        }
        return String.join(", ", list.subList(0, 12)) + ", … and " + (list.size() - 12) + " more";
    }
}
