package dev.easel.sd.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsGoldenTensorsWithDtypesAndShapes() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("tokenizer/tokens.safetensors"))) {
            TensorInfo ids = f.info("input_ids");
            assertEquals(DType.I64, ids.dtype());
            assertArrayEquals(new long[] {31, 77}, ids.shape());
            long[] v = f.readLongs("input_ids");
            assertEquals(49406, v[0], "every row starts with BOS");
            assertEquals(49406, v[77], "second row starts with BOS");
        }
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("pipeline/unet/diffusion_pytorch_model.safetensors"))) {
            assertEquals("pt", f.metadata().get("format"));
            assertTrue(f.contains("conv_in.weight"));
            assertArrayEquals(new long[] {32, 4, 3, 3}, f.info("conv_in.weight").shape());
        }
    }

    @Test
    void roundTripsF32F16AndBf16IntoNDArrays() throws IOException {
        float[] values = {0f, 1f, -2.5f, 65504f, 1e-5f, 3.14159f};
        Path file = tmp.resolve("t.safetensors");
        ByteBuffer bf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : values) {
            bf.putShort((short) (Float.floatToIntBits(x) >>> 16)); // truncation to bf16
        }
        new SafetensorsWriter().putF32("a", new long[] {2, 3}, values).putF16("b", new long[] {6}, values)
                .putRaw("c", DType.BF16, new long[] {6}, bf.array()).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(values, f.readFloats("a"));
            float[] half = f.readFloats("b");
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], half[i], Math.abs(values[i]) * 1e-3 + 1e-7, "f16 element " + i);
            }
            NDArray a16 = f.toNDArray(m, "a", DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, a16.getDataType());
            NDArray c = f.toNDArray(m, "c", DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, c.getDataType());
            float[] cv = c.toFloatArray();
            assertEquals(-2.5f, cv[2]);
            assertEquals(3.140625f, cv[5], "bf16 keeps 8 bits of mantissa");
            assertArrayEquals(values, f.toNDArray(m, "a", DataType.FLOAT32).toFloatArray());
        }
    }

    @Test
    void halfConversionRoundsToNearestEvenAndHandlesEdges() {
        assertEquals(0x3c00, Half.fromFloat(1f) & 0xffff);
        assertEquals(0x7c00, Half.fromFloat(1e6f) & 0xffff, "overflow is infinity");
        assertEquals(0x0001, Half.fromFloat(0x1p-24f) & 0xffff, "smallest subnormal");
        assertEquals(1f + 0x1p-10f, Half.toFloat(Half.fromFloat(1f + 0x1p-10f + 0x1p-12f)));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
        for (int bits = 0; bits < 0x7c00; bits += 7) {
            assertEquals(bits, Half.fromFloat(Half.toFloat((short) bits)) & 0xffff, "round trip " + bits);
        }
    }

    @Test
    void rejectsMalformedFilesWithSpecificMessages() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        new SafetensorsWriter().putF32("w", new long[] {4}, new float[] {1, 2, 3, 4}).write(good);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertMessage(truncated, "past the end");

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertMessage(tiny, "truncated");

        Path huge = tmp.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertMessage(huge, "header length");

        assertMessage(withHeader("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype Q7");
        assertMessage(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "needs 8 bytes");
        assertMessage(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", 4), "not valid JSON");
    }

    private Path withHeader(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static void assertMessage(Path file, String fragment) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                f.readFloats("w");
            }
        });
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
