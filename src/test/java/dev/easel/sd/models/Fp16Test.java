package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float16 path (what CUDA runs) exercised on the CPU: weights converted while loading,
 * attention scores and group norm in float32, results close to the float32 goldens.
 */
class Fp16Test {
    @Test
    void unetAndVaeInHalfPrecisionStayCloseToFloat32() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.path("unet/sd2_variant"), m, DataType.FLOAT16, null);
             AutoencoderKL vae = AutoencoderKL.load(Golden.path("pipeline/vae"), m, DataType.FLOAT16, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path("unet/sd2_variant/io.safetensors"));
             SafetensorsFile v = SafetensorsFile.open(Golden.path("vae/io.safetensors"))) {
            NDArray out = unet.forward(g.toNDArray(m, "b2_t801.sample", DataType.FLOAT16), m.create(801L),
                    g.toNDArray(m, "b2_t801.encoder_hidden_states", DataType.FLOAT16));
            assertEquals(DataType.FLOAT16, out.getDataType());
            double err = Golden.maxAbsDiff(out.toType(DataType.FLOAT32, false).toFloatArray(), g.readFloats("b2_t801.out"));
            NDArray img = vae.decode(v.toNDArray(m, "decode.b1_8x8.latents", DataType.FLOAT16));
            double errVae = Golden.maxAbsDiff(img.toType(DataType.FLOAT32, false).toFloatArray(), v.readFloats("decode.b1_8x8.sample"));
            System.out.printf("fp16 on CPU: UNet (SD 2 variant, upcast attention) max abs error %.3g, VAE decode %.3g%n", err, errVae);
            assertTrue(err < 3e-2, "unet fp16 error " + err);
            assertTrue(errVae < 3e-2, "vae fp16 error " + errVae);
        }
    }
}
