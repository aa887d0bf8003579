package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UNet parity with diffusers on the tiny SD 1.5-shaped and SD 2-shaped models (tolerance 1e-4). */
class UNet2DConditionModelTest {
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "pipeline/unet, unet/io_sd15.safetensors, b1_t999",
            "pipeline/unet, unet/io_sd15.safetensors, b1_tfloat",
            "pipeline/unet, unet/io_sd15.safetensors, b2_nonsquare_8x12",
            "pipeline/unet, unet/io_sd15.safetensors, b2_tvec",
            "pipeline/unet, unet/io_sd15.safetensors, b8_cfg",
            "unet/sd2_variant, unet/sd2_variant/io.safetensors, b2_nonsquare_8x12",
            "unet/sd2_variant, unet/sd2_variant/io.safetensors, b2_t801",
    })
    void matchesDiffusers(String modelDir, String io, String kase) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.path(modelDir), manager, DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path(io));
             NDManager step = manager.newSubManager()) {
            NDArray sample = g.toNDArray(step, kase + ".sample", DataType.FLOAT32);
            String tName = kase + ".timestep";
            NDArray t = g.toNDArray(step, tName, g.info(tName).dtype().isFloat() ? DataType.FLOAT32 : DataType.INT64);
            NDArray ctx = g.toNDArray(step, kase + ".encoder_hidden_states", DataType.FLOAT32);
            NDArray out = unet.forward(sample, t, ctx);
            float[] expected = g.readFloats(kase + ".out");
            assertArrayEquals(g.info(kase + ".out").shape(), out.getShape().getShape());
            double err = Golden.maxAbsDiff(out.toFloatArray(), expected);
            System.out.printf("unet %s %s: max abs error %.3g (max |out| %.3g)%n", modelDir, kase, err, Golden.maxAbs(expected));
            assertTrue(err < TOLERANCE, () -> kase + ": max abs error " + err);
        }
    }
}
