package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.sd.clip.CLIPTextConfig;
import dev.easel.sd.clip.CLIPTextModel;
import dev.easel.sd.models.AutoencoderKL;
import dev.easel.sd.models.Module;
import dev.easel.sd.models.UNet2DConditionConfig;
import dev.easel.sd.models.UNet2DConditionModel;
import dev.easel.sd.pipelines.Presets;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.sd.weights.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code easel models import <file.safetensors>}: turns a single-file SD 1.x/2.x checkpoint with the original
 * LDM key names into a diffusers folder (unet/, vae/, text_encoder/ with configs and safetensors; scheduler and
 * tokenizer from the bundled presets), checks it against the architecture before writing, and installs it
 * atomically like a pulled model.
 *
 * <p>SD 1.x vs 2.x: the text encoder's keys tell the family (CLIP {@code cond_stage_model.transformer.*} or
 * OpenCLIP {@code cond_stage_model.model.*}) and the UNet's cross-attention width must agree (768 for CLIP ViT-L,
 * 1024 for OpenCLIP ViT-H). The architecture's configs come from the {@code sd15}/{@code sd21} presets, or from
 * {@code --arch} (a preset name or a diffusers folder of the same architecture) for anything else.
 */
public final class CheckpointImporter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public enum Family {
        /** SD 1.x: CLIP ViT-L/14 text encoder. */
        SD1,
        /** SD 2.x: OpenCLIP ViT-H/14 text encoder, linear projections in the UNet's transformers. */
        SD2
    }

    /**
     * @param name           folder under models/ (null: from the file name)
     * @param arch           "auto", a preset name (sd15, sd21, tiny) or a diffusers folder whose configs fit
     * @param predictionType null (sd15: epsilon, sd21: v_prediction), "epsilon" or "v_prediction"
     * @param replace        replace an installed model of that name
     */
    public record Options(String name, String arch, String predictionType, boolean replace) {
        public static Options defaults() {
            return new Options(null, "auto", null, false);
        }
    }

    public record Result(String name, Path dir, Family family, String arch, int tensors, List<String> notes) {
    }

    private final ModelStore store;
    private final Clock clock;

    public CheckpointImporter(ModelStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A folder name from a checkpoint's file name: {@code Anything V3.0.safetensors} → {@code Anything-V3.0}. */
    public static String defaultName(Path file) {
        String n = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
        n = n.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[.-]+", "");
        return n.isEmpty() ? "imported" : n.length() > 100 ? n.substring(0, 100) : n;
    }

    public Result importFile(Path file, Options options) throws IOException {
        String fileName = file.getFileName().toString();
        if (fileName.endsWith(".ckpt") || fileName.endsWith(".pt") || fileName.endsWith(".pth")
                || fileName.endsWith(".bin")) {
            throw new PullException(fileName + " is a pickle checkpoint, which can run code when loaded; Easel reads"
                    + " only .safetensors files. Get the .safetensors version of the model, or convert it with a"
                    + " tool you trust");
        }
        if (!Files.isRegularFile(file)) {
            throw new PullException(file + ": no such file");
        }
        String name = options.name() == null ? defaultName(file) : options.name();
        ModelStore.checkName(name);
        if (store.isInstalled(name) && !options.replace()) {
            throw new PullException("a model named " + name + " is already installed in " + store.dir(name)
                    + "; remove it first (easel models remove " + name + "), import under another --name, or pass"
                    + " --force to replace it");
        }
        List<String> notes = new ArrayList<>();
        try (SafetensorsFile ckpt = SafetensorsFile.open(file)) {
            Map<String, TensorInfo> tensors = ckpt.tensors();
            Family family = detect(fileName, tensors, notes);
            int crossDim = crossAttentionDim(tensors);
            String arch = options.arch() == null || options.arch().equals("auto")
                    ? autoArch(fileName, family, crossDim) : options.arch();

            Path staging = store.staging(name);
            ModelStore.deleteTree(staging);
            Files.createDirectories(staging);
            try {
                writeConfigs(arch, family, options.predictionType(), staging, notes);
                LdmKeys.Layout layout = layout(staging);
                checkBlocks(fileName, arch, tensors, staging, layout);
                Map<String, Map<String, Planned>> plan;
                try {
                    plan = plan(tensors, layout);
                } catch (PullException e) {
                    throw misfit(fileName, arch, List.of(e.getMessage()));
                }
                check(fileName, arch, staging, plan);
                int count = 0;
                for (Map.Entry<String, Map<String, Planned>> c : plan.entrySet()) {
                    SafetensorsStream out = new SafetensorsStream();
                    for (Planned p : c.getValue().values()) {
                        TensorInfo src = p.source();
                        long bytes = p.target().part() < 0 ? src.byteSize() : src.byteSize() / 3;
                        long from = p.target().part() < 0 ? 0 : bytes * p.target().part();
                        out.add(new SafetensorsStream.Tensor(p.target().name(), src.dtype(), p.target().shape(), bytes,
                                () -> slice(ckpt.raw(src.name()), from, bytes)));
                        count++;
                    }
                    String stem = c.getKey().equals("text_encoder") ? "model" : "diffusion_pytorch_model";
                    out.write(staging.resolve(c.getKey()).resolve(stem + ".safetensors"));
                }
                writeModelIndex(staging);
                new ModelManifest("import", fileName, null, null, null, null,
                        family == Family.SD1 ? "SD 1.x" : "SD 2.x", clock.instant(), List.of()).write(staging);
                Path dir = store.install(staging, name, options.replace());
                return new Result(name, dir, family, arch, count, List.copyOf(notes));
            } catch (IOException | RuntimeException e) {
                ModelStore.deleteTree(staging);
                throw e;
            }
        }
    }

    private static ByteBuffer slice(ByteBuffer whole, long from, long bytes) {
        return whole.position((int) from).limit((int) (from + bytes)).slice();
    }

    // ---- detection ------------------------------------------------------------------------------------------

    static Family detect(String file, Map<String, TensorInfo> tensors, List<String> notes) throws PullException {
        boolean unet = false;
        boolean vae = false;
        boolean clip = false;
        boolean openClip = false;
        int ema = 0;
        for (String k : tensors.keySet()) {
            unet |= k.startsWith(LdmKeys.UNET);
            vae |= k.startsWith(LdmKeys.VAE);
            clip |= k.startsWith(LdmKeys.CLIP);
            openClip |= k.startsWith(LdmKeys.OPEN_CLIP);
            if (k.startsWith("model_ema.")) {
                ema++;
            }
            if (k.startsWith("conditioner.embedders.")) {
                throw new PullException(file + " is an SDXL checkpoint; Easel runs Stable Diffusion 1.x/2.x only");
            }
        }
        if (!unet) {
            boolean lora = tensors.keySet().stream().anyMatch(k -> k.startsWith("lora_") || k.contains(".lora_"));
            throw new PullException(file + (lora ? " is a LoRA (a small add-on), not a full model; Easel needs a"
                    + " complete checkpoint" : " is not a Stable Diffusion checkpoint in the original layout: it has no"
                    + " model.diffusion_model.* tensors") + (tensors.keySet().stream().anyMatch(k ->
                    k.startsWith("down_blocks.")) ? " (its keys look like one diffusers component: use 'easel models"
                    + " pull' for diffusers repos)" : ""));
        }
        if (!vae) {
            throw new PullException(file + " has no VAE (first_stage_model.* tensors); Easel imports complete"
                    + " checkpoints only");
        }
        if (clip == openClip) {
            throw new PullException(file + (clip ? " holds both a CLIP and an OpenCLIP text encoder" : " has no text"
                    + " encoder (cond_stage_model.transformer.* for SD 1.x or cond_stage_model.model.* for SD 2.x)"));
        }
        TensorInfo in = tensors.get(LdmKeys.UNET + "input_blocks.0.0.weight");
        if (in != null && in.shape().length == 4 && in.shape()[1] != 4) {
            throw new PullException(file + ": the UNet takes " + in.shape()[1] + " input channels"
                    + (in.shape()[1] == 9 ? " (an inpainting model)" : "") + "; Easel's pipeline needs 4");
        }
        if (ema > 100) {
            notes.add("the file also holds EMA weights (model_ema.*); the regular weights were imported");
        }
        return clip ? Family.SD1 : Family.SD2;
    }

    /** The width the UNet's cross-attention reads: the text encoder's hidden size (768, 1024, …). */
    static int crossAttentionDim(Map<String, TensorInfo> tensors) throws PullException {
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(tensors).entrySet()) {
            if (e.getKey().startsWith(LdmKeys.UNET) && e.getKey().endsWith(".attn2.to_k.weight")) {
                return (int) e.getValue().shape()[1];
            }
        }
        throw new PullException("the UNet has no cross-attention (attn2.to_k) weights: not a text-to-image model");
    }

    private static String autoArch(String file, Family family, int crossDim) throws PullException {
        if (family == Family.SD1 && crossDim == 768) {
            return "sd15";
        }
        if (family == Family.SD2 && crossDim == 1024) {
            return "sd21";
        }
        if (crossDim == 768 || crossDim == 1024) {
            throw new PullException(file + ": the text encoder is " + (family == Family.SD1 ? "CLIP (SD 1.x)"
                    : "OpenCLIP (SD 2.x)") + " but the UNet's cross-attention is " + crossDim + " wide, which belongs to "
                    + (crossDim == 768 ? "SD 1.x" : "SD 2.x") + ": the file mixes two models");
        }
        throw new PullException(file + ": cannot tell the architecture (cross-attention width " + crossDim
                + ", neither SD 1.x's 768 nor SD 2.x's 1024); pass --arch with a diffusers folder of the same"
                + " architecture, or a preset (" + String.join(", ", Presets.NAMES) + ")");
    }

    // ---- configs --------------------------------------------------------------------------------------------

    private static final List<String> CONFIGS = List.of("unet/config.json", "vae/config.json",
            "text_encoder/config.json", "scheduler/scheduler_config.json");
    private static final List<String> TOKENIZER = List.of("vocab.json", "merges.txt", "special_tokens_map.json",
            "tokenizer_config.json");

    private static void writeConfigs(String arch, Family family, String predictionType, Path staging,
                                     List<String> notes) throws IOException {
        boolean preset = Presets.NAMES.contains(arch);
        if (preset) {
            Presets.extract(arch, staging);
        } else {
            Path from = Path.of(arch);
            if (!Files.isDirectory(from)) {
                throw new PullException("--arch '" + arch + "' is neither a preset (" + String.join(", ", Presets.NAMES)
                        + ") nor a folder");
            }
            for (String f : CONFIGS) {
                if (!Files.isRegularFile(from.resolve(f))) {
                    throw new PullException("--arch " + from + " lacks " + f + " (a diffusers model folder has "
                            + String.join(", ", CONFIGS) + ")");
                }
                Files.createDirectories(staging.resolve(f).getParent());
                Files.copy(from.resolve(f), staging.resolve(f));
            }
            boolean ownTokenizer = Files.isRegularFile(from.resolve("tokenizer/vocab.json"));
            Path tmp = Files.createTempDirectory("easel-tokenizer-");
            try {
                Presets.extract("tiny", tmp);
                for (String t : TOKENIZER) {
                    Path src = ownTokenizer && Files.isRegularFile(from.resolve("tokenizer").resolve(t))
                            ? from.resolve("tokenizer").resolve(t) : tmp.resolve("tokenizer").resolve(t);
                    Files.createDirectories(staging.resolve("tokenizer"));
                    Files.copy(src, staging.resolve("tokenizer").resolve(t));
                }
            } finally {
                ModelStore.deleteTree(tmp);
            }
            preset = !ownTokenizer; // a bundled tokenizer gets SD 2.x's padding below
        }
        if (family == Family.SD2 && preset) {
            // SD 2.x's tokenizer pads with "!" (id 0), SD 1.x's with <|endoftext|>
            for (String t : List.of("special_tokens_map.json", "tokenizer_config.json")) {
                Path f = staging.resolve("tokenizer").resolve(t);
                ObjectNode n = (ObjectNode) JSON.readTree(f.toFile());
                n.put("pad_token", "!");
                Files.writeString(f, JSON.writeValueAsString(n));
            }
        }
        if (predictionType != null) {
            if (!predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
                throw new PullException("--prediction-type '" + predictionType + "' is not epsilon or v_prediction");
            }
            Path f = staging.resolve("scheduler/scheduler_config.json");
            ObjectNode s = (ObjectNode) JSON.readTree(f.toFile());
            s.put("prediction_type", predictionType);
            Files.writeString(f, JSON.writeValueAsString(s));
            if (arch.equals("sd21")) {
                // SD 2.x "base" models predict noise at 512 px; the 768-v models predict v at 768 px
                Path u = staging.resolve("unet/config.json");
                ObjectNode unet = (ObjectNode) JSON.readTree(u.toFile());
                unet.put("sample_size", predictionType.equals("epsilon") ? 64 : 96);
                Files.writeString(u, JSON.writeValueAsString(unet));
            }
        } else if (arch.equals("sd21")) {
            notes.add("SD 2.x imported as a 768 px v-prediction model (like stable-diffusion-2-1); for a 512 px"
                    + " 'base' model import again with --prediction-type epsilon");
        }
    }

    private static LdmKeys.Layout layout(Path staging) throws IOException {
        JsonConfig unet = JsonConfig.read(staging.resolve("unet/config.json"));
        JsonConfig vae = JsonConfig.read(staging.resolve("vae/config.json"));
        JsonConfig text = JsonConfig.read(staging.resolve("text_encoder/config.json"));
        return new LdmKeys.Layout(unet.getInt("layers_per_block", 2),
                vae.getStrings("up_block_types", List.of("", "", "", "")).size(),
                text.getInt("num_hidden_layers", 12));
    }

    private static void writeModelIndex(Path staging) throws IOException {
        String scheduler = JsonConfig.read(staging.resolve("scheduler/scheduler_config.json"))
                .getString("_class_name", "PNDMScheduler");
        ObjectNode n = JSON.createObjectNode();
        n.put("_class_name", "StableDiffusionPipeline");
        n.put("_diffusers_version", "0.30.3");
        n.putArray("feature_extractor").addNull().addNull();
        n.putArray("image_encoder").addNull().addNull();
        n.put("requires_safety_checker", false);
        n.putArray("safety_checker").addNull().addNull();
        n.putArray("scheduler").add("diffusers").add(scheduler);
        n.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        n.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        n.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        n.putArray("vae").add("diffusers").add("AutoencoderKL");
        Files.writeString(staging.resolve("model_index.json"), JSON.writeValueAsString(n) + "\n");
    }

    // ---- plan and check -------------------------------------------------------------------------------------

    record Planned(TensorInfo source, LdmKeys.Target target) {
    }

    /** component → diffusers name → where it comes from. */
    static Map<String, Map<String, Planned>> plan(Map<String, TensorInfo> tensors, LdmKeys.Layout layout)
            throws PullException {
        Map<String, Map<String, Planned>> plan = new TreeMap<>();
        for (TensorInfo t : tensors.values()) {
            List<LdmKeys.Target> targets;
            try {
                targets = LdmKeys.map(t.name(), t.shape(), layout);
            } catch (IllegalArgumentException e) {
                throw new PullException(e.getMessage() + ": the checkpoint does not have the SD 1.x/2.x layout");
            }
            for (LdmKeys.Target target : targets) {
                if (!t.dtype().isFloat()) {
                    throw new PullException(t.name() + " is " + t.dtype() + "; weights must be floating point");
                }
                Planned before = plan.computeIfAbsent(target.component(), c -> new LinkedHashMap<>())
                        .put(target.name(), new Planned(t, target));
                if (before != null) {
                    throw new PullException("both " + before.source().name() + " and " + t.name() + " map to "
                            + target.component() + "/" + target.name());
                }
            }
        }
        for (Map<String, Planned> m : plan.values()) {
            // write in name order, like save_pretrained
            Map<String, Planned> sorted = new TreeMap<>(m);
            m.clear();
            m.putAll(sorted);
        }
        return plan;
    }

    /** Every parameter the architecture's modules have, with its shape, and nothing else. */
    private static void check(String file, String arch, Path staging, Map<String, Map<String, Planned>> plan)
            throws IOException {
        Map<String, Module> modules = new LinkedHashMap<>();
        try {
            modules.put("text_encoder", new CLIPTextModel(CLIPTextConfig.read(staging.resolve("text_encoder/config.json"))));
            modules.put("unet", new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.read(
                    staging.resolve("unet/config.json")))));
            modules.put("vae", new AutoencoderKL(AutoencoderKL.Config.from(JsonConfig.read(
                    staging.resolve("vae/config.json")))));
        } catch (IllegalArgumentException e) {
            throw new PullException("--arch " + arch + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Module> m : modules.entrySet()) {
            Map<String, ai.djl.ndarray.types.Shape> want = m.getValue().parameterShapes();
            Map<String, Planned> got = plan.getOrDefault(m.getKey(), Map.of());
            TreeSet<String> missing = new TreeSet<>(want.keySet());
            missing.removeAll(got.keySet());
            TreeSet<String> extra = new TreeSet<>(got.keySet());
            extra.removeAll(want.keySet());
            if (!missing.isEmpty()) {
                problems.add(m.getKey() + ": " + missing.size() + " missing, e.g. " + first(missing));
            }
            if (!extra.isEmpty()) {
                problems.add(m.getKey() + ": " + extra.size() + " unexpected, e.g. " + first(extra) + " (from "
                        + got.get(extra.first()).source().name() + ")");
            }
            for (Map.Entry<String, ai.djl.ndarray.types.Shape> w : want.entrySet()) {
                Planned p = got.get(w.getKey());
                if (p != null && !Arrays.equals(p.target().shape(), w.getValue().getShape())) {
                    problems.add(m.getKey() + ": " + w.getKey() + " (from " + p.source().name() + ") is "
                            + Arrays.toString(p.target().shape()) + " but the architecture needs "
                            + Arrays.toString(w.getValue().getShape()));
                    break;
                }
            }
        }
        if (!problems.isEmpty()) {
            throw misfit(file, arch, problems);
        }
    }

    private static PullException misfit(String file, String arch, List<String> problems) {
        return new PullException(file + " does not fit the " + arch + " architecture:\n  "
                + String.join("\n  ", problems) + "\n"
                + "Pass --arch with a diffusers folder (or preset) of this model's architecture.");
    }

    /**
     * The UNet's block structure must be the config's before names can be mapped: LDM numbers input blocks
     * 1 + blocks × (layers + 1) − 1 (no downsampler after the last block) and output blocks blocks × (layers + 1).
     */
    private static void checkBlocks(String file, String arch, Map<String, TensorInfo> tensors, Path staging,
                                    LdmKeys.Layout layout) throws IOException {
        int blocks = JsonConfig.read(staging.resolve("unet/config.json")).getStrings("down_block_types", List.of()).size();
        int lpb = layout.unetLayersPerBlock();
        java.util.Set<Integer> in = new java.util.TreeSet<>();
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(LdmKeys.UNET)
                + "(input|output)_blocks\\.(\\d+)\\..*");
        for (String k : tensors.keySet()) {
            java.util.regex.Matcher m = p.matcher(k);
            if (m.matches()) {
                (m.group(1).equals("input") ? in : out).add(Integer.parseInt(m.group(2)));
            }
        }
        int wantIn = 1 + blocks * (lpb + 1) - 1;
        int wantOut = blocks * (lpb + 1);
        if (in.size() != wantIn || out.size() != wantOut) {
            throw misfit(file, arch, List.of("unet: the file has " + in.size() + " input and " + out.size()
                    + " output blocks; " + blocks + " blocks of " + lpb + " layers make " + wantIn + " and " + wantOut));
        }
    }

    private static String first(TreeSet<String> names) {
        return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.stream().limit(3).toList()) + ", …";
    }
}
