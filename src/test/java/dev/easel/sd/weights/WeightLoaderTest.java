package dev.easel.sd.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.models.AutoencoderKL;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/** Checkpoints that do not fit the config are refused with the offending names and shapes. */
class WeightLoaderTest {
    @TempDir
    Path tmp;

    /** Copies the tiny VAE, letting {@code edit} drop (null), keep or reshape each tensor. */
    private Path vaeWith(BiFunction<String, TensorInfo, long[]> edit, String extra) throws IOException {
        Path src = Golden.path("pipeline/vae");
        Path dir = Files.createDirectories(tmp.resolve("vae" + System.nanoTime()));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("diffusion_pytorch_model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                long[] shape = edit.apply(t.name(), t);
                if (shape == null) {
                    continue;
                }
                float[] v = f.readFloats(t.name());
                long n = 1;
                for (long d : shape) {
                    n *= d;
                }
                w.putF32(t.name(), shape, java.util.Arrays.copyOf(v, (int) n));
            }
        }
        if (extra != null) {
            w.putF32(extra, new long[] {1}, new float[] {0});
        }
        w.write(dir.resolve("diffusion_pytorch_model.safetensors"));
        return dir;
    }

    @Test
    void missingAndUnexpectedWeightsAreNamed() throws IOException {
        Path dir = vaeWith((n, t) -> n.equals("decoder.conv_out.bias") ? null : t.shape(), "decoder.extra.weight");
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> AutoencoderKL.load(dir, m, DataType.FLOAT32, null));
            assertTrue(e.getMessage().contains("missing (1): decoder.conv_out.bias"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected (1): decoder.extra.weight"), e.getMessage());
        }
    }

    @Test
    void wrongShapeNamesKeyAndBothShapes() throws IOException {
        Path dir = vaeWith((n, t) -> n.equals("encoder.conv_in.weight") ? new long[] {16, 3, 3, 3} : t.shape(), null);
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> AutoencoderKL.load(dir, m, DataType.FLOAT32, null));
            assertTrue(e.getMessage().contains("'encoder.conv_in.weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("(16, 3, 3, 3)") && e.getMessage().contains("(32, 3, 3, 3)"), e.getMessage());
        }
    }

    @Test
    void prefersRequestedVariantAndExplainsMissingWeights() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("unet"));
        Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors"), "x");
        Files.writeString(dir.resolve("diffusion_pytorch_model.fp16.safetensors"), "x");
        assertEquals(dir.resolve("diffusion_pytorch_model.fp16.safetensors"),
                WeightLoader.componentFiles(dir, "diffusion_pytorch_model", "fp16").get(0));
        assertEquals(dir.resolve("diffusion_pytorch_model.safetensors"),
                WeightLoader.componentFiles(dir, "diffusion_pytorch_model", null).get(0));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> WeightLoader.componentFiles(empty, "diffusion_pytorch_model", "fp16"));
        assertTrue(e.getMessage().contains("diffusion_pytorch_model.fp16.safetensors"), e.getMessage());
    }

    @Test
    void legacyConvShapedAttentionWeightsLoad() throws IOException {
        // older VAE files: query/key/value/proj_attn names, some stored as [C, C, 1, 1] 1×1 convs
        Path dir = vaeWith((n, t) -> t.shape(), null);
        Path legacy = Files.createDirectories(tmp.resolve("legacy"));
        Files.copy(dir.resolve("config.json"), legacy.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                String name = t.name().replace(".to_q.", ".query.").replace(".to_out.0.", ".proj_attn.");
                long[] shape = name.endsWith("query.weight") ? new long[] {t.shape()[0], t.shape()[1], 1, 1} : t.shape();
                w.putF32(name, shape, f.readFloats(t.name()));
            }
        }
        w.write(legacy.resolve("diffusion_pytorch_model.safetensors"));
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL a = AutoencoderKL.load(legacy, m, DataType.FLOAT32, null);
             AutoencoderKL b = AutoencoderKL.load(dir, m, DataType.FLOAT32, null)) {
            var x = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 4, 4, 4));
            assertArrayEquals(b.decode(x).toFloatArray(), a.decode(x).toFloatArray());
        }
    }
}
