package dev.easel.adapter.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.sd.weights.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a safetensors file whose tensors are byte ranges of memory-mapped source buffers, without holding the
 * file in memory (a converted SD 1.5 UNet is 3.4 GB in float32). Layout: 8-byte little-endian header length, the
 * JSON header padded with spaces to a multiple of 8, then the tensors' bytes in header order.
 */
final class SafetensorsStream {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor to write: its bytes come from {@code data} when written. */
    record Tensor(String name, DType dtype, long[] shape, long bytes, DataSource data) {
    }

    @FunctionalInterface
    interface DataSource {
        ByteBuffer open() throws IOException;
    }

    private final List<Tensor> tensors = new ArrayList<>();

    void add(Tensor t) {
        long numel = 1;
        for (long d : t.shape()) {
            numel *= d;
        }
        if (numel * t.dtype().bytes() != t.bytes()) {
            throw new IllegalArgumentException(t.name() + ": " + t.dtype() + " " + java.util.Arrays.toString(t.shape())
                    + " needs " + numel * t.dtype().bytes() + " bytes, the source has " + t.bytes());
        }
        tensors.add(t);
    }

    long write(Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + t.bytes());
            offset += t.bytes();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            writeFully(out, head.flip());
            for (Tensor t : tensors) {
                ByteBuffer b = t.data().open();
                if (b.remaining() != t.bytes()) {
                    throw new IOException(t.name() + ": expected " + t.bytes() + " bytes, the source gave " + b.remaining());
                }
                writeFully(out, b);
            }
            out.force(true);
        }
        return 8L + padded + offset;
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
