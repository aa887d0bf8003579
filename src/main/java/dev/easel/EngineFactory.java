package dev.easel;

import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.sd.pipelines.Devices;
import dev.easel.sd.pipelines.Presets;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the Stable Diffusion engine for a model name: a folder under models/, or "demo-tiny" (random weights). */
public final class EngineFactory {
    public static final String DEMO_MODEL = "demo-tiny";
    private static final Logger log = LoggerFactory.getLogger(EngineFactory.class);

    private EngineFactory() {
    }

    /** A loaded pipeline and the ImageGenerator on it; closing frees the native memory. */
    public record Engine(StableDiffusionPipeline pipeline, DjlImageGenerator generator, Devices.Choice device)
            implements AutoCloseable {
        @Override
        public void close() {
            pipeline.close();
        }
    }

    /**
     * @param device    auto | cpu | cuda | cuda:N
     * @param precision auto | fp16 | fp32
     * @param variant   weight variant to prefer, null for fp16 on a GPU and the plain files on the CPU
     */
    public static Engine open(Path modelsDir, String model, String device, String precision, String variant) {
        Devices.Choice choice = Devices.choose(device, precision);
        try {
            StableDiffusionPipeline pipe;
            if (DEMO_MODEL.equals(model)) {
                pipe = Presets.random("tiny", choice.device(), choice.dtype(), 1234);
            } else {
                Path dir = modelsDir.resolve(model);
                if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
                    throw new IllegalArgumentException("model '" + model + "' is not installed (no " + dir
                            + "/model_index.json): install it with scripts/easel models pull <repo-id> (see models/README.md), or set generation.model to "
                            + DEMO_MODEL + " to try Easel on a random-weight model");
                }
                pipe = StableDiffusionPipeline.load(dir, choice.device(), choice.dtype(),
                        variant != null ? variant : choice.device().isGpu() ? "fp16" : null);
            }
            log.info("engine: model {} on {}", model, choice.describe());
            return new Engine(pipe, new DjlImageGenerator(pipe, model,
                    DjlImageGenerator.defaultBatchPixels(choice.device().isGpu())), choice);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model '" + model + "': " + e.getMessage(), e);
        }
    }
}
