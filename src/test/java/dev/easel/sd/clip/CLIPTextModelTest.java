package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden parity of the text encoder against transformers' CLIPTextModel (tiny random-weight models). */
class CLIPTextModelTest {
    private static final double TOLERANCE = 1e-4;
    private static final Path WEIGHTS_DIR = Golden.path("pipeline/text_encoder");
    private static final Path GELU_DIR = Golden.path("text_encoder/clip_skip_gelu");

    private static NDManager root;

    @BeforeAll
    static void start() {
        root = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        root.close();
    }

    private static float[] golden(Path file, String name) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.readFloats(name);
        }
    }

    private static NDArray goldenIds(NDManager m, Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return m.create(f.readLongs("input_ids"), new Shape(f.info("input_ids").shape()));
        }
    }

    private static double check(String what, NDArray actual, float[] expected) {
        double err = Golden.maxAbsDiff(actual.toType(DataType.FLOAT32, false).toFloatArray(), expected);
        System.out.printf("%-55s max abs error %.3e (max |value| %.2f)%n", what, err, Golden.maxAbs(expected));
        return err;
    }

    @Test
    void quickGeluModelMatchesTransformers() throws IOException {
        // given the tiny SD 1.x text encoder (quick_gelu, 3 layers, eos_token_id 49407) and six tokenized prompts
        Path io = Golden.path("text_encoder/io.safetensors");
        try (CLIPTextModel model = CLIPTextModel.load(WEIGHTS_DIR, root, DataType.FLOAT32, null);
             NDManager m = root.newSubManager()) {
            NDArray ids = goldenIds(m, io);
            // when
            CLIPTextModel.Output out = model.forward(ids);
            // then
            assertEquals(new Shape(6, 77, 32), out.lastHiddenState().getShape());
            assertEquals(new Shape(6, 32), out.pooledOutput().getShape());
            assertTrue(check("quick_gelu last_hidden_state", out.lastHiddenState(), golden(io, "last_hidden_state")) <= TOLERANCE);
            assertTrue(check("quick_gelu pooler_output", out.pooledOutput(), golden(io, "pooler_output")) <= TOLERANCE);
            // and prompt embeddings without clip skip are the last hidden state
            NDArray embeds = model.promptEmbeds(ids, 0);
            assertTrue(check("quick_gelu promptEmbeds(clipSkip 0)", embeds, golden(io, "last_hidden_state")) <= TOLERANCE);
        }
    }

    @Test
    void geluModelMatchesTransformersIncludingPenultimateLayer() throws IOException {
        // given the same weights with hidden_act gelu (exact erf)
        Path io = GELU_DIR.resolve("io.safetensors");
        CLIPTextConfig config = CLIPTextConfig.read(GELU_DIR.resolve("config.json"));
        assertEquals("gelu", config.hiddenAct());
        List<Path> files = List.of(WEIGHTS_DIR.resolve("model.safetensors"));
        try (CLIPTextModel model = CLIPTextModel.load(config, files, root, DataType.FLOAT32);
             NDManager m = root.newSubManager()) {
            NDArray ids = goldenIds(m, io);
            // when
            CLIPTextModel.Output out = model.forward(ids);
            NDArray skip1 = model.promptEmbeds(ids, 1);
            // then
            assertTrue(check("gelu last_hidden_state", out.lastHiddenState(), golden(io, "last_hidden_state")) <= TOLERANCE);
            assertTrue(check("gelu pooler_output", out.pooledOutput(), golden(io, "pooler_output")) <= TOLERANCE);
            assertTrue(check("gelu penultimate_hidden_state", out.penultimateHiddenState(),
                    golden(io, "penultimate_hidden_state")) <= TOLERANCE);
            assertTrue(check("gelu penultimate_final_layer_norm", out.penultimateFinalLayerNorm(),
                    golden(io, "penultimate_final_layer_norm")) <= TOLERANCE);
            assertTrue(check("gelu promptEmbeds(clipSkip 1)", skip1, golden(io, "penultimate_final_layer_norm")) <= TOLERANCE);
        }
    }

    @Test
    void legacyEosTokenIdPoolsAtTheLargestId() throws IOException {
        // given the quick_gelu model with eos_token_id 2, as in the SD 1.5 / 2.1 text encoder configs
        Path io = Golden.path("text_encoder/io.safetensors");
        JsonConfig json = JsonConfig.read(WEIGHTS_DIR.resolve("config.json"));
        var values = new java.util.LinkedHashMap<>(json.asMap());
        values.put("eos_token_id", 2);
        CLIPTextConfig legacy = CLIPTextConfig.from(new JsonConfig("legacy", values));
        assertTrue(legacy.legacyPooling());
        try (CLIPTextModel model = CLIPTextModel.load(legacy, List.of(WEIGHTS_DIR.resolve("model.safetensors")), root, DataType.FLOAT32);
             NDManager m = root.newSubManager()) {
            NDArray ids = goldenIds(m, io);
            // when: the largest id of each row is its first <|endoftext|> (49407)
            CLIPTextModel.Output out = model.forward(ids);
            // then the pooled output is the same as with the EOS rule
            assertTrue(check("legacy pooling pooler_output", out.pooledOutput(), golden(io, "pooler_output")) <= TOLERANCE);
            // and with no EOS in a row, the largest id's position is taken: row [320, 500, 49000, 7] pools position 2
            NDArray odd = m.create(new long[] {320, 500, 49000, 7}, new Shape(1, 4));
            CLIPTextModel.Output o = model.forward(odd);
            float[] pooled = o.pooledOutput().toFloatArray();
            float[] atTwo = o.lastHiddenState().get(0, 2).toFloatArray();
            assertArrayEquals(atTwo, pooled, 0f);
        }
    }

    @Test
    void float16WeightsGiveCloseResults() throws IOException {
        // given the weights converted to float16 (layer norms accumulate in float32 inside torch;
        // attention scores and softmax are computed in float32)
        Path io = GELU_DIR.resolve("io.safetensors");
        CLIPTextConfig config = CLIPTextConfig.read(GELU_DIR.resolve("config.json"));
        try (CLIPTextModel model = CLIPTextModel.load(config, List.of(WEIGHTS_DIR.resolve("model.safetensors")), root, DataType.FLOAT16);
             NDManager m = root.newSubManager()) {
            NDArray ids = goldenIds(m, io);
            // when
            CLIPTextModel.Output out = model.forward(ids);
            // then: outputs are float16 and within float16 rounding of the float32 reference
            assertEquals(DataType.FLOAT16, out.lastHiddenState().getDataType());
            assertTrue(check("fp16 gelu last_hidden_state", out.lastHiddenState(), golden(io, "last_hidden_state")) <= 2e-2);
            assertTrue(check("fp16 gelu pooler_output", out.pooledOutput(), golden(io, "pooler_output")) <= 2e-2);
            assertTrue(check("fp16 gelu penultimate_final_layer_norm", out.penultimateFinalLayerNorm(),
                    golden(io, "penultimate_final_layer_norm")) <= 2e-2);
        }
    }

    @Test
    void forwardLeavesNothingInTheWeightsManagerAndResultsBelongToTheCaller() throws IOException {
        try (CLIPTextModel model = CLIPTextModel.load(WEIGHTS_DIR, root, DataType.FLOAT32, null)) {
            int weightArrays = model.weightsManager().getManagedArrays().size();
            NDManager caller = root.newSubManager();
            NDArray ids = goldenIds(caller, Golden.path("text_encoder/io.safetensors"));
            for (int i = 0; i < 3; i++) {
                model.forward(ids);
                model.promptEmbeds(ids, 1);
            }
            // the weights' manager holds exactly the parameters it held before
            assertEquals(weightArrays, model.weightsManager().getManagedArrays().size());
            assertEquals(model.namedParameters().size(), weightArrays);
            // the caller's manager holds the ids plus 3 × (4 outputs + 1 embedding): no intermediates
            assertEquals(1 + 3 * 5, caller.getManagedArrays().size());
            caller.close();
        }
    }

    @Test
    void modelLoadedOnADeviceOwnsItsManagerAndClosesIt() throws IOException {
        Path io = Golden.path("text_encoder/io.safetensors");
        CLIPTextModel model = CLIPTextModel.load(WEIGHTS_DIR, ai.djl.Device.cpu(), DataType.FLOAT32, null);
        NDManager weights = model.weightsManager();
        try (NDManager m = root.newSubManager()) {
            NDArray embeds = model.promptEmbeds(goldenIds(m, io), 0);
            assertTrue(Golden.maxAbsDiff(embeds.toFloatArray(), golden(io, "last_hidden_state")) <= TOLERANCE);
        }
        assertTrue(weights.isOpen());
        model.close();
        assertTrue(!weights.isOpen(), "closing the model frees its weights");
    }

    @Test
    void badInputIsRejectedWithASpecificMessage() throws IOException {
        try (CLIPTextModel model = CLIPTextModel.load(WEIGHTS_DIR, root, DataType.FLOAT32, null);
             NDManager m = root.newSubManager()) {
            var tooLong = assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(1, 78), DataType.INT64)));
            assertTrue(tooLong.getMessage().contains("78 positions") && tooLong.getMessage().contains("at most 77"), tooLong.getMessage());
            var outside = assertThrows(IllegalArgumentException.class, () -> model.forward(m.create(new long[] {49406, 49408}, new Shape(1, 2))));
            assertTrue(outside.getMessage().contains("token id 49408"), outside.getMessage());
            var floats = assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(1, 77))));
            assertTrue(floats.getMessage().contains("INT64"), floats.getMessage());
            var oneDim = assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(77), DataType.INT64)));
            assertTrue(oneDim.getMessage().contains("[batch, sequence]"), oneDim.getMessage());
            var skip = assertThrows(IllegalArgumentException.class, () -> model.promptEmbeds(m.zeros(new Shape(1, 77), DataType.INT64), 3));
            assertTrue(skip.getMessage().contains("0 (none) to 2"), skip.getMessage());
        }
    }

    @Test
    void int32IdsAndShortSequencesWork() throws IOException {
        Path io = Golden.path("text_encoder/io.safetensors");
        try (CLIPTextModel model = CLIPTextModel.load(WEIGHTS_DIR, root, DataType.FLOAT32, null);
             NDManager m = root.newSubManager()) {
            NDArray ids = goldenIds(m, io);
            float[] full = model.forward(ids).lastHiddenState().toFloatArray();
            // causal attention: the first 20 positions do not depend on the later ones
            NDArray prefix = ids.get(":, :20").toType(DataType.INT32, false);
            float[] part = model.forward(prefix).lastHiddenState().toFloatArray();
            float[] fullPrefix = m.create(full, new Shape(6, 77, 32)).get(":, :20, :").toFloatArray();
            assertTrue(Golden.maxAbsDiff(fullPrefix, part) < 1e-5);
        }
    }
}
