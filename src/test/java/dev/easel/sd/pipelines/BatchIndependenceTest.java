package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A candidate's pixels do not depend on what else shares its batch (other prompts, seeds, guidance). */
class BatchIndependenceTest {
    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() throws IOException {
        pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(), DataType.FLOAT32, null);
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    @Test
    void mergedCandidatesEqualTheirSoloRuns() {
        var a = new GenerationRequest.Candidate("a red fox in the snow", "blurry", 7, 6.0);
        var b = new GenerationRequest.Candidate("a lighthouse at dusk", "", 99, 9.0);
        var c = new GenerationRequest.Candidate("a lighthouse at dusk", "", 100, 3.5);
        GenerationResult merged = pipe.generate(new GenerationRequest(List.of(a, b, c), 64, 64, 8, "euler_a", null, false),
                ProgressListener.NONE, () -> false);
        for (int i = 0; i < 3; i++) {
            var cand = List.of(a, b, c).get(i);
            GenerationResult solo = pipe.generate(new GenerationRequest(List.of(cand), 64, 64, 8, "euler_a", null, false),
                    ProgressListener.NONE, () -> false);
            double err = Golden.maxAbsDiff(merged.image(i), solo.image(0));
            assertTrue(err < 1e-5, "candidate " + i + " differs by " + err + " when merged");
        }
        assertTrue(Golden.maxAbsDiff(merged.image(1), merged.image(2)) > 1e-2, "different seeds give different images");
    }

    @Test
    void tilingChangesTheImageAndIsSwitchedOffAfterwards() {
        GenerationRequest plain = new GenerationRequest(List.of(new GenerationRequest.Candidate("a pattern", "", 5, 7.0)),
                64, 64, 4, "ddim", null, false);
        GenerationRequest tiled = new GenerationRequest(plain.candidates(), 64, 64, 4, "ddim", null, true);
        float[] before = pipe.generate(plain, ProgressListener.NONE, () -> false).images();
        float[] wrapped = pipe.generate(tiled, ProgressListener.NONE, () -> false).images();
        float[] after = pipe.generate(plain, ProgressListener.NONE, () -> false).images();
        assertTrue(Golden.maxAbsDiff(before, wrapped) > 1e-3, "circular padding must change the result");
        assertArrayEquals(before, after, "tiling is off again after a tiled run");
    }
}
