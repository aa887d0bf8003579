package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Candidate i of a job with seed S equals what diffusers makes for a batch of one with
 * torch.Generator("cpu").manual_seed(S + i − 1) — the four candidates computed together in one
 * batched UNet call per step, with each candidate's noise (ancestral steps included) from its own
 * generator stream.
 */
class SeededCandidatesTest {

    @ParameterizedTest
    @ValueSource(strings = {"ddim-square", "euler_a-negative"})
    void fourCandidatesMatchFourSingleRuns(String name) throws IOException {
        Path dir = Golden.path("seeded/" + name);
        JsonConfig c = JsonConfig.read(dir.resolve("case.json"));
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(), DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(dir.resolve("images.safetensors"))) {
            GenerationRequest req = new GenerationRequest(c.getString("prompt", null), c.getString("negative", ""),
                    c.getInt("width", 0), c.getInt("height", 0), c.getInt("steps", 0), c.getDouble("cfg", 0),
                    c.getString("sampler", null), GenerationRequest.consecutiveSeeds((long) c.getDouble("seed", 0), 4), null);
            GenerationResult r = pipe.generate(req, ProgressListener.NONE, () -> false);
            double err = Golden.maxAbsDiff(r.images(), g.readFloats("images"));
            System.out.printf("seeded %s: max abs image error %.3g%n", name, err);
            assertTrue(err < 1e-4, () -> name + ": " + err);
        }
    }
}
