package dev.easel.sd.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}}}, then the raw little-endian data.
 *
 * <p>The header is parsed and checked once; each tensor is memory-mapped on demand, so files
 * larger than 2 GiB (the fp32 SD 1.5 UNet is 3.44 GB) are read without copying the data
 * section. Malformed files fail with a {@link SafetensorsException} naming the file, the tensor
 * and the problem.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The format's own limit on the JSON header. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new SafetensorsException(path + ": truncated: " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new SafetensorsException(path + ": header length " + headerLen
                    + " is outside 2.." + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
        }
        if (8 + headerLen > fileSize) {
            throw new SafetensorsException(path + ": truncated: header says " + headerLen
                    + " bytes but the file has only " + (fileSize - 8) + " after the length");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8);
        String json = new String(headerBuf.array(), StandardCharsets.UTF_8);
        Map<?, ?> header;
        try {
            header = JsonUtils.GSON.fromJson(json, Map.class);
        } catch (RuntimeException e) {
            throw new SafetensorsException(path + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null) {
            throw new SafetensorsException(path + ": header is empty");
        }
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = String.valueOf(e.getKey());
            if ("__metadata__".equals(name)) {
                if (e.getValue() instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
                }
                continue;
            }
            tensors.put(name, parseEntry(path, name, e.getValue(), dataSize));
        }
        return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path path, String name, Object value, long dataSize)
            throws SafetensorsException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new SafetensorsException(path + ": tensor '" + name + "': header entry is not an object");
        }
        Object dt = m.get("dtype");
        DType dtype = dt == null ? null : DType.parse(dt.toString());
        if (dtype == null) {
            throw new SafetensorsException(path + ": tensor '" + name + "': unknown dtype " + dt
                    + " (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }
        long[] shape = longList(path, name, "shape", m.get("shape"));
        long[] offsets = longList(path, name, "data_offsets", m.get("data_offsets"));
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new SafetensorsException(path + ": tensor '" + name + "': bad data_offsets "
                    + java.util.Arrays.toString(offsets));
        }
        if (offsets[1] > dataSize) {
            throw new SafetensorsException(path + ": tensor '" + name + "': data_offsets "
                    + java.util.Arrays.toString(offsets) + " run past the end of the data ("
                    + dataSize + " bytes): the file is truncated or corrupt");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        long expected = info.numel() * dtype.bytes();
        if (expected != info.byteSize()) {
            throw new SafetensorsException(path + ": tensor '" + name + "': " + dtype + " "
                    + info.shapeString() + " needs " + expected + " bytes but data_offsets span "
                    + info.byteSize());
        }
        return info;
    }

    private static long[] longList(Path path, String name, String field, Object v) throws SafetensorsException {
        if (!(v instanceof List<?> list)) {
            throw new SafetensorsException(path + ": tensor '" + name + "': missing or invalid " + field);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object o = list.get(i);
            if (!(o instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() != Math.floor(n.doubleValue())) {
                throw new SafetensorsException(path + ": tensor '" + name + "': " + field
                        + " holds " + o + ", not a non-negative integer");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new SafetensorsException("unexpected end of file");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's raw bytes, memory-mapped, little-endian. */
    public ByteBuffer raw(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path + ": tensor '" + name + "' has " + info.byteSize()
                    + " bytes, more than one buffer can map (2 GiB)");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads a floating-point tensor as float32 (F16, BF16 and F64 are converted). */
    public float[] readFloats(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer b = raw(name);
        int n = Math.toIntExact(info.numel());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Half.toFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Half.bf16ToFloat(b.getShort(2 * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> throw new SafetensorsException(path + ": tensor '" + name + "' is "
                    + info.dtype() + ", not a floating-point tensor");
        }
        return out;
    }

    /** Reads an F64 tensor (or any float tensor, widened). */
    public double[] readDoubles(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.dtype() == DType.F64) {
            double[] out = new double[Math.toIntExact(info.numel())];
            raw(name).asDoubleBuffer().get(out);
            return out;
        }
        float[] f = readFloats(name);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Reads an integer tensor (I64, I32, I16, I8, U8) as longs. */
    public long[] readLongs(String name) throws IOException {
        TensorInfo info = info(name);
        ByteBuffer b = raw(name);
        int n = Math.toIntExact(info.numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (info.dtype()) {
                case I64 -> b.getLong(8 * i);
                case I32 -> b.getInt(4 * i);
                case I16 -> b.getShort(2 * i);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw new SafetensorsException(path + ": tensor '" + name + "' is "
                        + info.dtype() + ", not an integer tensor");
            };
        }
        return out;
    }

    /**
     * Creates the tensor as an NDArray of {@code target} type on {@code manager}'s device.
     * F32→F32 and F16→F16 go straight from the mapped file; other float combinations (BF16
     * included, which DJL cannot hold) are converted in Java while loading.
     */
    public NDArray toNDArray(NDManager manager, String name, DataType target) throws IOException {
        TensorInfo info = info(name);
        Shape shape = new Shape(info.shape());
        if (!info.dtype().isFloat()) {
            if (info.dtype() == DType.I64 && target == DataType.INT64) {
                return manager.create(raw(name), shape, DataType.INT64);
            }
            throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype()
                    + " and cannot be loaded as " + target);
        }
        if (target == DataType.FLOAT32 && info.dtype() == DType.F32) {
            return manager.create(raw(name), shape, DataType.FLOAT32);
        }
        if (target == DataType.FLOAT16 && info.dtype() == DType.F16) {
            return manager.create(raw(name), shape, DataType.FLOAT16);
        }
        float[] values = readFloats(name);
        if (target == DataType.FLOAT32) {
            return manager.create(values, shape);
        }
        if (target == DataType.FLOAT16) {
            ByteBuffer out = ByteBuffer.allocateDirect(values.length * 2).order(ByteOrder.nativeOrder());
            for (float v : values) {
                out.putShort(Half.fromFloat(v));
            }
            out.flip();
            return manager.create(out, shape, DataType.FLOAT16);
        }
        throw new SafetensorsException("unsupported target type " + target + " for tensor '" + name + "'");
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
