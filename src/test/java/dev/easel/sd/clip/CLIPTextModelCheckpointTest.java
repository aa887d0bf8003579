package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsException;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.sd.weights.SafetensorsWriter;
import dev.easel.sd.weights.TensorInfo;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model's parameter names and shapes against real checkpoints, and loading of imperfect files. */
class CLIPTextModelCheckpointTest {
    private static final Path TINY = Golden.path("pipeline/text_encoder");

    @ParameterizedTest
    @ValueSource(strings = {"sd15", "sd21"})
    @SuppressWarnings("unchecked")
    void fullSizeConfigDeclaresExactlyTheRealCheckpointsParameters(String model) throws IOException {
        // given the real SD 1.5 (CLIP ViT-L/14) / SD 2.1 (OpenCLIP ViT-H) text encoder config and its state-dict listing
        Path dir = Golden.path("real-checkpoints/" + model + "/text_encoder");
        Map<String, List<Number>> listing = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("parameters.json")), Map.class);
        Map<String, Shape> expected = new LinkedHashMap<>();
        listing.forEach((name, dims) -> {
            if (!name.equals(CLIPTextModel.POSITION_IDS_KEY)) { // a buffer, not a parameter
                expected.put(name, new Shape(dims.stream().mapToLong(Number::longValue).toArray()));
            }
        });
        Map<String, Object> summary = JsonUtils.GSON.fromJson(
                Files.readString(Golden.path("real-checkpoints/summary.json")), Map.class);
        Map<String, Number> counts = (Map<String, Number>) summary.get(model + "/text_encoder");
        // when the model is built (nothing allocated)
        CLIPTextModel te = new CLIPTextModel(CLIPTextConfig.read(dir.resolve("config.json")));
        // then names and shapes are the checkpoint's, in the same order, and the counts agree
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(te.parameterShapes().keySet()));
        assertEquals(expected, te.parameterShapes());
        assertEquals(counts.get("tensors").intValue(), te.namedParameters().size());
        assertEquals(counts.get("parameters").longValue(), te.parameterCount());
        assertTrue(te.config().legacyPooling(), "real configs carry eos_token_id 2");
    }

    /** Copies the tiny checkpoint, letting {@code edit} replace (return another array), or drop (null), tensors. */
    private static Path rewrite(Path dir, BiFunction<String, float[], float[]> edit,
                                Map<String, long[]> shapes, boolean addPositionIds) throws IOException {
        Files.createDirectories(dir);
        Files.copy(TINY.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            for (TensorInfo info : f.tensors().values()) {
                float[] values = edit.apply(info.name(), f.readFloats(info.name()));
                if (values != null) {
                    w.putF32(info.name(), shapes.getOrDefault(info.name(), info.shape()), values);
                }
            }
        }
        if (addPositionIds) {
            w.putI64(CLIPTextModel.POSITION_IDS_KEY, new long[] {1, 77}, LongStream.range(0, 77).toArray());
        }
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }

    @Test
    void wronglyShapedTensorIsRefusedNamingTheKeyAndBothShapes(@TempDir Path tmp) throws IOException {
        // given a checkpoint whose fc1 weight of layer 1 is [37, 16] instead of [37, 32]
        String key = "text_model.encoder.layers.1.mlp.fc1.weight";
        Path dir = rewrite(tmp.resolve("bad"), (name, v) -> name.equals(key) ? new float[37 * 16] : v,
                Map.of(key, new long[] {37, 16}), false);
        try (NDManager m = NDManager.newBaseManager()) {
            // when / then
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> CLIPTextModel.load(dir, m, DataType.FLOAT32, null));
            assertTrue(e.getMessage().contains(key), e.getMessage());
            assertTrue(e.getMessage().contains("(37, 16)") && e.getMessage().contains("(37, 32)"), e.getMessage());
            assertEquals(0, m.getManagedArrays().size(), "nothing stays allocated after a refused load");
        }
    }

    @Test
    void missingTensorIsRefusedByName(@TempDir Path tmp) throws IOException {
        String key = "text_model.final_layer_norm.bias";
        Path dir = rewrite(tmp.resolve("missing"), (name, v) -> name.equals(key) ? null : v, Map.of(), false);
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> CLIPTextModel.load(dir, m, DataType.FLOAT32, null));
            assertTrue(e.getMessage().contains("missing (1): " + key), e.getMessage());
        }
    }

    @Test
    void olderCheckpointWithPositionIdsBufferLoadsAndGivesTheSameOutput(@TempDir Path tmp) throws IOException {
        // given the tiny checkpoint plus the int64 position_ids buffer older files contain
        Path dir = rewrite(tmp.resolve("old"), (name, v) -> v, Map.of(), true);
        Path io = Golden.path("text_encoder/io.safetensors");
        try (NDManager m = NDManager.newBaseManager();
             CLIPTextModel model = CLIPTextModel.load(dir, m, DataType.FLOAT32, null);
             SafetensorsFile f = SafetensorsFile.open(io)) {
            // when
            NDArray ids = m.create(f.readLongs("input_ids"), new Shape(6, 77));
            float[] out = model.forward(ids).lastHiddenState().toFloatArray();
            // then
            double err = Golden.maxAbsDiff(out, f.readFloats("last_hidden_state"));
            assertTrue(err <= 1e-4, "max abs error " + err);
        }
    }

    @Test
    void fp16VariantFileIsPreferredWhenAsked(@TempDir Path tmp) throws IOException {
        // given a folder with model.safetensors and a model.fp16.safetensors that lacks a tensor
        Path dir = rewrite(tmp.resolve("variant"), (name, v) -> v, Map.of(), false);
        Path fp16 = rewrite(tmp.resolve("variant16"), (name, v) -> name.endsWith("final_layer_norm.weight") ? null : v, Map.of(), false);
        Files.copy(fp16.resolve("model.safetensors"), dir.resolve("model.fp16.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            // when the fp16 variant is requested, that file is read (and found incomplete)
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> CLIPTextModel.load(dir, m, DataType.FLOAT32, "fp16"));
            assertTrue(e.getMessage().contains("model.fp16.safetensors"), e.getMessage());
            // and without a variant the complete file loads
            try (CLIPTextModel ok = CLIPTextModel.load(dir, m, DataType.FLOAT32, null)) {
                assertEquals(DataType.FLOAT32, ok.dataType());
            }
        }
    }

    @Test
    void configErrorsAreSpecific(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("config.json"), "{\"hidden_act\": \"relu\"}");
        IllegalArgumentException act = assertThrows(IllegalArgumentException.class,
                () -> CLIPTextConfig.read(tmp.resolve("config.json")));
        assertTrue(act.getMessage().contains("hidden_act 'relu' is not supported (supported: quick_gelu, gelu)"), act.getMessage());

        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
                () -> CLIPTextConfig.from(new JsonConfig("c", Map.of("hidden_size", 30, "num_attention_heads", 4))));
        assertTrue(heads.getMessage().contains("hidden_size 30 is not a multiple of num_attention_heads 4"), heads.getMessage());

        // a full CLIP config (text and vision) is read through its text_config
        CLIPTextConfig full = CLIPTextConfig.from(new JsonConfig("clip", Map.of(
                "model_type", "clip", "text_config", Map.of("hidden_size", 64, "num_attention_heads", 2, "num_hidden_layers", 5))));
        assertEquals(64, full.hiddenSize());
        assertEquals(32, full.headDim());
        assertEquals(5, full.numHiddenLayers());
        assertEquals("quick_gelu", full.hiddenAct());

        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException bf16 = assertThrows(IllegalArgumentException.class,
                    () -> CLIPTextModel.load(TINY, m, DataType.BFLOAT16, null));
            assertTrue(bf16.getMessage().contains("BFLOAT16") || bf16.getMessage().contains("bfloat16"), bf16.getMessage());
        }
    }
}
