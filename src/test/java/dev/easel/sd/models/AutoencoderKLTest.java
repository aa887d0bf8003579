package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/** VAE parity with diffusers on the tiny 8×-downsampling AutoencoderKL (tolerance 1e-4). */
class AutoencoderKLTest {
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"b1_8x8", "b2_8x12"})
    void decodeMatchesDiffusers(String kase) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(Golden.path("pipeline/vae"), manager, DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path("vae/io.safetensors"))) {
            NDArray out = vae.decode(g.toNDArray(manager, "decode." + kase + ".latents", DataType.FLOAT32));
            float[] expected = g.readFloats("decode." + kase + ".sample");
            assertArrayEquals(g.info("decode." + kase + ".sample").shape(), out.getShape().getShape());
            double err = Golden.maxAbsDiff(out.toFloatArray(), expected);
            System.out.printf("vae decode %s: max abs error %.3g (max |out| %.3g)%n", kase, err, Golden.maxAbs(expected));
            assertTrue(err < TOLERANCE, () -> kase + ": " + err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"b1_64x64", "b2_64x96"})
    void encodeMatchesDiffusers(String kase) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(Golden.path("pipeline/vae"), manager, DataType.FLOAT32, null);
             SafetensorsFile g = SafetensorsFile.open(Golden.path("vae/io.safetensors"))) {
            AutoencoderKL.Posterior p = vae.encode(g.toNDArray(manager, "encode." + kase + ".image", DataType.FLOAT32));
            double errMean = Golden.maxAbsDiff(p.mean().toFloatArray(), g.readFloats("encode." + kase + ".mean"));
            double errLogvar = Golden.maxAbsDiff(p.logvar().toFloatArray(), g.readFloats("encode." + kase + ".logvar"));
            System.out.printf("vae encode %s: mean error %.3g, logvar error %.3g%n", kase, errMean, errLogvar);
            assertTrue(errMean < TOLERANCE && errLogvar < TOLERANCE, () -> kase + ": " + errMean + " / " + errLogvar);
        }
    }

    @Test
    void legacyAttentionNamesAreRenamed() {
        assertEquals("encoder.mid_block.attentions.0.to_q.weight",
                AutoencoderKL.renameLegacy("encoder.mid_block.attentions.0.query.weight"));
        assertEquals("decoder.mid_block.attentions.0.to_out.0.bias",
                AutoencoderKL.renameLegacy("decoder.mid_block.attentions.0.proj_attn.bias"));
        assertEquals("encoder.down_blocks.0.resnets.0.conv1.weight",
                AutoencoderKL.renameLegacy("encoder.down_blocks.0.resnets.0.conv1.weight"));
    }
}
