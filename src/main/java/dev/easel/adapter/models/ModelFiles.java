package dev.easel.adapter.models;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which files of a diffusers-layout repo Easel's pipeline needs: {@code model_index.json}, the component configs,
 * the scheduler config, the CLIP tokenizer files and the safetensors weights of text_encoder, unet and vae (the
 * requested variant, e.g. {@code *.fp16.safetensors}, where the repo has it, else the plain files). Never
 * {@code .bin}/{@code .ckpt} pickles, ONNX or Flax exports, the safety checker, the feature extractor, or the
 * single-file checkpoints some repos keep at the top level.
 */
public final class ModelFiles {
    /** Components with weights and the stem of their weight files. */
    static final Map<String, String> WEIGHTS = weights();
    private static final List<String> REQUIRED = List.of("model_index.json", "scheduler/scheduler_config.json",
            "text_encoder/config.json", "unet/config.json", "vae/config.json", "tokenizer/vocab.json",
            "tokenizer/merges.txt");
    private static final Set<String> OPTIONAL = Set.of("tokenizer/tokenizer_config.json",
            "tokenizer/special_tokens_map.json");

    private static Map<String, String> weights() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text_encoder", "model");
        m.put("unet", "diffusion_pytorch_model");
        m.put("vae", "diffusion_pytorch_model");
        return m;
    }

    /**
     * The chosen files, with notes for the user (variant fallbacks) and what was left out.
     *
     * @param skippedBytes size of the repo's files not downloaded
     */
    public record Selection(List<HubClient.RemoteFile> files, List<String> notes, int skippedFiles, long skippedBytes) {
        public long bytes() {
            return files.stream().mapToLong(f -> Math.max(0, f.size())).sum();
        }
    }

    private ModelFiles() {
    }

    /**
     * @param variant "fp16" to prefer {@code *.fp16.safetensors}; null or empty for the plain weights
     * @throws PullException when the repo lacks a needed file (not a diffusers Stable Diffusion repo, or weights
     *                       only as pickles)
     */
    public static Selection select(String repo, List<HubClient.RemoteFile> files, String variant) throws PullException {
        Map<String, HubClient.RemoteFile> byPath = new LinkedHashMap<>();
        for (HubClient.RemoteFile f : files) {
            byPath.put(f.path(), f);
        }
        List<HubClient.RemoteFile> chosen = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String r : REQUIRED) {
            HubClient.RemoteFile f = byPath.get(r);
            if (f == null) {
                missing.add(r);
            } else {
                chosen.add(f);
            }
        }
        for (String o : OPTIONAL) {
            if (byPath.containsKey(o)) {
                chosen.add(byPath.get(o));
            }
        }
        if (!missing.isEmpty()) {
            boolean singleFile = files.stream().anyMatch(f -> !f.path().contains("/")
                    && (f.path().endsWith(".safetensors") || f.path().endsWith(".ckpt")));
            throw new PullException(repo + " is not a Stable Diffusion model in diffusers layout: missing "
                    + String.join(", ", missing) + (singleFile ? ". It has a single-file checkpoint at its top level:"
                    + " download that file and use 'easel models import <file.safetensors>'" : ""));
        }
        boolean wantVariant = variant != null && !variant.isBlank();
        for (Map.Entry<String, String> c : WEIGHTS.entrySet()) {
            String dir = c.getKey();
            String stem = c.getValue();
            List<HubClient.RemoteFile> picked = List.of();
            if (wantVariant) {
                picked = weightFiles(byPath, dir, stem, variant);
                if (picked.isEmpty()) {
                    notes.add(dir + ": no " + variant + " variant in the repo; using the plain weights");
                }
            }
            if (picked.isEmpty()) {
                picked = weightFiles(byPath, dir, stem, null);
            }
            if (picked.isEmpty()) {
                boolean pickle = byPath.keySet().stream().anyMatch(p -> p.startsWith(dir + "/") && p.endsWith(".bin"));
                throw new PullException(repo + ": no safetensors weights for " + dir + " (expected " + dir + "/" + stem
                        + ".safetensors)" + (pickle ? "; the repo has only .bin (pickle) weights, which Easel does not"
                        + " load: convert them to safetensors or pick another repo" : ""));
            }
            chosen.addAll(picked);
        }
        chosen.sort(Comparator.comparing(HubClient.RemoteFile::path));
        Set<String> taken = new java.util.HashSet<>();
        chosen.forEach(f -> taken.add(f.path()));
        int skipped = 0;
        long skippedBytes = 0;
        for (HubClient.RemoteFile f : files) {
            if (!taken.contains(f.path())) {
                skipped++;
                skippedBytes += Math.max(0, f.size());
            }
        }
        return new Selection(List.copyOf(chosen), List.copyOf(notes), skipped, skippedBytes);
    }

    /** {@code dir/stem[.variant].safetensors}, or its shards {@code dir/stem-00001-of-00002[.variant].safetensors}. */
    private static List<HubClient.RemoteFile> weightFiles(Map<String, HubClient.RemoteFile> byPath, String dir,
                                                          String stem, String variant) {
        String suffix = (variant == null ? "" : "." + variant) + ".safetensors";
        HubClient.RemoteFile single = byPath.get(dir + "/" + stem + suffix);
        if (single != null) {
            return List.of(single);
        }
        Pattern shard = Pattern.compile(Pattern.quote(dir + "/" + stem) + "-\\d{5}-of-\\d{5}" + Pattern.quote(suffix));
        return byPath.values().stream().filter(f -> shard.matcher(f.path()).matches())
                .sorted(Comparator.comparing(HubClient.RemoteFile::path)).toList();
    }
}
