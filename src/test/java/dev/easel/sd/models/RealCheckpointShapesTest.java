package dev.easel.sd.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Building the UNet and VAE from the real SD 1.5 / 2.1 configs yields exactly the parameter names
 * and shapes of the published checkpoints, so their files load with no key conversion. Nothing is
 * allocated: parameters are declared, not created.
 */
class RealCheckpointShapesTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd15", "sd21"})
    void unetMatchesRealCheckpoint(String model) throws IOException {
        Path dir = Golden.path("real-checkpoints/" + model + "/unet");
        UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.read(dir.resolve("config.json"))));
        assertEquals(expected(dir), unet.parameterShapes());
        assertEquals(model.equals("sd15") ? 859_520_964L : 865_910_724L, unet.parameterCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd15", "sd21"})
    void vaeMatchesRealCheckpoint(String model) throws IOException {
        Path dir = Golden.path("real-checkpoints/" + model + "/vae");
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKL.Config.from(JsonConfig.read(dir.resolve("config.json"))));
        assertEquals(expected(dir), vae.parameterShapes());
        assertEquals(83_653_863L, vae.parameterCount());
    }

    /** parameters.json: name -> shape, in the checkpoint's order (compared as maps: order-free). */
    static Map<String, Shape> expected(Path dir) throws IOException {
        Map<?, ?> raw = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("parameters.json")), Map.class);
        Map<String, Shape> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            List<?> dims = (List<?>) v;
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = ((Number) dims.get(i)).longValue();
            }
            out.put((String) k, new Shape(s));
        });
        return out;
    }
}
