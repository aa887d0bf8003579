package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.clip.CLIPTextConfig;
import dev.easel.sd.clip.CLIPTextModel;
import dev.easel.sd.clip.CLIPTokenizer;
import dev.easel.sd.models.AutoencoderKL;
import dev.easel.sd.models.UNet2DConditionConfig;
import dev.easel.sd.models.UNet2DConditionModel;
import dev.easel.sd.weights.JsonConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Model architectures shipped as configs only (no weights): {@code tiny} (a few-MB model for the
 * offline demo and tests), {@code sd15} and {@code sd21} (the real architectures, for benchmarks).
 * A preset pipeline has seeded random weights: it exercises the whole path at the real cost,
 * but draws noise, not pictures.
 */
public final class Presets {
    public static final List<String> NAMES = List.of("tiny", "sd15", "sd21");
    private static final String ROOT = "/dev/easel/sd/presets/";
    private static final List<String> FILES = List.of("unet/config.json", "vae/config.json",
            "text_encoder/config.json", "scheduler/scheduler_config.json");
    private static final List<String> TOKENIZER = List.of("vocab.json", "merges.txt", "special_tokens_map.json",
            "tokenizer_config.json");

    private Presets() {
    }

    /** Writes the preset's configs and the CLIP tokenizer into {@code dir} (diffusers layout, no weights). */
    public static Path extract(String preset, Path dir) throws IOException {
        if (!NAMES.contains(preset)) {
            throw new IllegalArgumentException("unknown preset '" + preset + "'; known: " + String.join(", ", NAMES));
        }
        for (String f : FILES) {
            copy(ROOT + preset + "/" + f, dir.resolve(f));
        }
        for (String f : TOKENIZER) {
            copy(ROOT + "tokenizer/" + f, dir.resolve("tokenizer").resolve(f));
        }
        return dir;
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = Presets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A pipeline of the preset's architecture with seeded random weights. */
    public static StableDiffusionPipeline random(String preset, Device device, DataType dtype, long seed) throws IOException {
        Path dir = Files.createTempDirectory("easel-preset-");
        try {
            extract(preset, dir);
            NDManager m = NDManager.newBaseManager(device);
            try {
                CLIPTokenizer tok = CLIPTokenizer.load(dir.resolve("tokenizer"));
                CLIPTextModel te = CLIPTextModel.random(CLIPTextConfig.read(dir.resolve("text_encoder/config.json")), m, dtype, seed);
                UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.read(dir.resolve("unet/config.json"))));
                unet.randomize(m, dtype, seed + 1);
                AutoencoderKL vae = new AutoencoderKL(AutoencoderKL.Config.from(JsonConfig.read(dir.resolve("vae/config.json"))));
                vae.randomize(m, dtype, seed + 2);
                JsonConfig sched = JsonConfig.read(dir.resolve("scheduler/scheduler_config.json"));
                return new StableDiffusionPipeline(preset + "-random", m, dtype, tok, te, unet, vae, sched);
            } catch (IOException | RuntimeException e) {
                m.close();
                throw e;
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp folder of configs is harmless
        }
    }
}
