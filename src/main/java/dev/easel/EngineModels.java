package dev.easel;

import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;
import dev.easel.config.EaselConfig;
import dev.easel.sd.pipelines.Devices;
import dev.easel.sd.pipelines.Presets;
import dev.easel.sd.pipelines.StableDiffusionPipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Opens the Stable Diffusion pipeline a resolved configuration names, for the engine factory that {@code Main}
 * hands to {@code easel start}: the installed model folder ({@code model.models-dir/model.name}) on the device and
 * precision of {@code model.device}/{@code model.precision}, or, when start resolved to demo mode
 * ({@code model.demo} and no model installed), the {@code tiny} preset with seeded random weights.
 */
public final class EngineModels {
    /** Seed of the demo model's random weights: the same noise pictures on every start. */
    public static final long DEMO_SEED = 20240601L;

    private EngineModels() {
    }

    /** True when {@code model.dir()} holds a diffusers model. */
    public static boolean installed(EaselConfig config) {
        return Files.isRegularFile(config.model().dir().resolve("model_index.json"));
    }

    /** The pipeline to serve; the caller owns (closes) it. */
    public static StableDiffusionPipeline open(EaselConfig config) throws IOException {
        Devices.Choice choice = Devices.choose(config.model().device(), config.model().precision());
        if (installed(config)) {
            return StableDiffusionPipeline.load(config.model().dir(), choice.device(), choice.dtype(),
                    config.model().variantOrNull());
        }
        if (config.model().demo()) {
            return Presets.random("tiny", choice.device(), choice.dtype(), DEMO_SEED);
        }
        throw new IOException("no model in " + config.model().dir() + " (model_index.json missing): "
                + "scripts/easel models pull " + config.model().defaultRepo() + ", or start with --demo");
    }

    /**
     * {@code engine} that also closes {@code resource} (the pipeline it runs on) when start shuts down:
     * {@code config -> { var p = EngineModels.open(config); return EngineModels.owning(new …(p, …), p); }}.
     */
    public static ImageGenerator owning(ImageGenerator engine, AutoCloseable resource) {
        return new Owning(engine, resource);
    }

    private record Owning(ImageGenerator engine, AutoCloseable resource) implements ImageGenerator, AutoCloseable {
        @Override
        public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
            return engine.generate(requests);
        }

        @Override
        public int maxBatchImages(int width, int height) {
            return engine.maxBatchImages(width, height);
        }

        @Override
        public void close() throws IOException {
            try {
                resource.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("closing the engine's model failed: " + e.getMessage(), e);
            }
        }
    }
}
