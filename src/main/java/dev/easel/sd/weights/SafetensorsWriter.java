package dev.easel.sd.weights;

import ai.djl.util.JsonUtils;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes safetensors files (F32, F16 or I64 tensors), e.g. converted checkpoints and test fixtures. */
public final class SafetensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, byte[] data) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter putF32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return put(name, DType.F32, shape, b.array(), values.length);
    }

    public SafetensorsWriter putF16(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(Half.fromFloat(v));
        }
        return put(name, DType.F16, shape, b.array(), values.length);
    }

    public SafetensorsWriter putI64(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return put(name, DType.I64, shape, b.array(), values.length);
    }

    /** Raw little-endian bytes of any dtype. */
    public SafetensorsWriter putRaw(String name, DType dtype, long[] shape, byte[] data) {
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    private SafetensorsWriter put(String name, DType dtype, long[] shape, byte[] data, int count) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        if (numel != count) {
            throw new IllegalArgumentException(name + ": shape holds " + numel + " elements, got " + count);
        }
        return putRaw(name, dtype, shape, data);
    }

    public void write(Path file) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Entry e : entries) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", e.dtype().name());
            List<Long> shape = new ArrayList<>();
            for (long d : e.shape()) {
                shape.add(d);
            }
            h.put("shape", shape);
            h.put("data_offsets", List.of(offset, offset + e.data().length));
            header.put(e.name(), h);
            offset += e.data().length;
        }
        byte[] json = JsonUtils.GSON_COMPACT.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (Entry e : entries) {
                out.write(e.data());
            }
        }
    }
}
