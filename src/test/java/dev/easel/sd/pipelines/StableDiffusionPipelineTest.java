package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.schedulers.Scheduler;
import dev.easel.sd.schedulers.Schedulers;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole diffusers runs of the tiny pipeline (txt2img with DDIM, Euler, PNDM; img2img with DDIM),
 * loaded through the normal diffusers-folder loader, with diffusers' random draws injected.
 * Tolerance 1e-4 on the float images in [0, 1].
 */
class StableDiffusionPipelineTest {
    static final double TOLERANCE = 1e-4;
    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() throws IOException {
        pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(), DataType.FLOAT32, null);
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    /** Serves a golden run's stored draws in diffusers' order: batch rows are candidates. */
    static final class GoldenNoise implements NoiseSource {
        final SafetensorsFile g;
        final String initialName;
        final List<String> stepNames = new ArrayList<>();
        final int[] stepCounter = new int[16];

        GoldenNoise(SafetensorsFile g, String initialName) {
            this.g = g;
            this.initialName = initialName;
            g.tensors().keySet().stream().filter(k -> k.startsWith("noise.") && k.contains("scheduling")).sorted()
                    .forEach(stepNames::add);
        }

        float[] row(String name, int row) {
            try {
                float[] all = g.readFloats(name);
                long[] shape = g.info(name).shape();
                int per = all.length / (int) shape[0];
                float[] out = new float[per];
                System.arraycopy(all, shape[0] == 1 ? 0 : row * per, out, 0, per);
                return out;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public float[] vaeSample(int candidate, long[] shape) {
            return row("noise.00.vae", candidate); // diffusers encodes the one init image once
        }

        @Override
        public float[] initial(int candidate, long[] shape) {
            return row(initialName, candidate);
        }

        @Override
        public float[] step(int candidate, long[] shape) {
            return row(stepNames.get(stepCounter[candidate]++), candidate);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"txt2img_ddim", "txt2img_euler", "txt2img_pndm", "img2img_ddim"})
    void reproducesDiffusersRun(String run) throws IOException {
        Path dir = Golden.path("pipeline_runs/" + run);
        JsonConfig runJson = JsonConfig.read(dir.resolve("run.json"));
        try (SafetensorsFile g = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            Scheduler scheduler = Schedulers.fromConfig(JsonConfig.read(dir.resolve("scheduler_config.json")));
            int width = runJson.getInt("width", 0);
            int height = runJson.getInt("height", 0);
            GenerationRequest.InitImage init = null;
            String initial = "latents_in";
            if (run.startsWith("img2img")) {
                init = new GenerationRequest.InitImage(g.readFloats("init_image_preprocessed"), width, height,
                        runJson.getDouble("strength", 0));
                initial = "noise.01.pipeline_stable_diffusion_img2img";
            }
            GenerationRequest req = new GenerationRequest(runJson.getStrings("prompt", List.of()).get(0),
                    runJson.getStrings("negative_prompt", List.of()).get(0), width, height,
                    runJson.getInt("num_inference_steps", 0), runJson.getDouble("guidance_scale", 0), "golden",
                    new long[] {0, 1, 2, 3}, init);
            AtomicInteger steps = new AtomicInteger();
            GenerationResult result = pipe.generate(req, scheduler, new GoldenNoise(g, initial),
                    (step, total, preview) -> steps.incrementAndGet(), () -> false);
            double err = Golden.maxAbsDiff(result.images(), g.readFloats("images"));
            System.out.printf("pipeline %s: max abs image error %.3g over %d steps%n", run, err, steps.get());
            assertEquals(g.info("step_timesteps").shape()[0], steps.get(), "one progress call per UNet step");
            assertTrue(err < TOLERANCE, () -> run + ": " + err);
        }
    }

    @Test
    void cancellationStopsBetweenSteps() {
        GenerationRequest req = new GenerationRequest("a cat", "", 64, 64, 10, 7.5, "ddim", new long[] {1}, null);
        AtomicInteger seen = new AtomicInteger();
        GenerationCancelledException e = assertThrows(GenerationCancelledException.class,
                () -> pipe.generate(req, (step, total, preview) -> seen.set(step), () -> seen.get() >= 3));
        assertEquals(3, seen.get());
        assertTrue(e.getMessage().contains("after step 3 of 10"), e.getMessage());
    }
}
