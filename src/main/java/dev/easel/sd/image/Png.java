package dev.easel.sd.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG files with text metadata (PNG specification, ISO/IEC 15948, chunks tEXt, zTXt and iTXt).
 *
 * <p>The image itself is encoded by {@link ImageIO}; the text chunks are written by hand right after
 * IHDR (before the image data, so that readers that stop early still see them). Like Pillow's
 * {@code PngInfo.add_text}, a value that Latin-1 can represent goes into a tEXt chunk, any other
 * value (CJK prompts, emoji) into an uncompressed iTXt chunk in UTF-8. Generation parameters are
 * stored under the keyword {@value #PARAMETERS} in the format popular Stable Diffusion UIs write
 * and read (see {@link ImageParameters}).
 */
public final class Png {
    /** The keyword under which generation parameters are stored. */
    public static final String PARAMETERS = "parameters";

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Limit on inflated text, against decompression bombs. */
    private static final int MAX_TEXT_BYTES = 16 * 1024 * 1024;

    private Png() {
    }

    /** Encodes an image with its generation parameters in a {@value #PARAMETERS} text chunk. */
    public static byte[] encode(BufferedImage image, ImageParameters parameters) throws IOException {
        return encode(image, Map.of(PARAMETERS, parameters.toText()));
    }

    /**
     * Encodes an image as PNG with the given text chunks (in the map's iteration order).
     * Keywords must be 1–79 printable Latin-1 characters without leading, trailing or double spaces.
     */
    public static byte[] encode(BufferedImage image, Map<String, String> text) throws IOException {
        for (String keyword : text.keySet()) {
            checkKeyword(keyword);
        }
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", plain)) {
            throw new IOException("no PNG writer available for a " + image.getWidth() + " x " + image.getHeight()
                    + " image of type " + image.getType());
        }
        byte[] png = plain.toByteArray();
        // IHDR is always first: signature (8) + length (4) + "IHDR" (4) + 13 data bytes + CRC (4).
        int afterIhdr = SIGNATURE.length + 12 + 13;
        if (png.length < afterIhdr || !new String(png, 12, 4, StandardCharsets.ISO_8859_1).equals("IHDR")) {
            throw new IOException("the PNG writer produced no IHDR chunk at the start");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 256);
        out.write(png, 0, afterIhdr);
        for (Map.Entry<String, String> e : text.entrySet()) {
            writeTextChunk(out, e.getKey(), e.getValue() == null ? "" : e.getValue());
        }
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    /** Writes {@link #encode(BufferedImage, ImageParameters)} to a file. */
    public static void write(BufferedImage image, ImageParameters parameters, Path file) throws IOException {
        Files.write(file, encode(image, parameters));
    }

    /** Writes {@link #encode(BufferedImage, Map)} to a file. */
    public static void write(BufferedImage image, Map<String, String> text, Path file) throws IOException {
        Files.write(file, encode(image, text));
    }

    /** Decodes the image of a PNG (metadata ignored). */
    public static BufferedImage readImage(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        if (img == null) {
            throw new IOException("not a readable image (" + png.length + " bytes)");
        }
        return img;
    }

    /** The text chunks of a PNG file; see {@link #readText(byte[])}. */
    public static Map<String, String> readText(Path file) throws IOException {
        return readText(Files.readAllBytes(file));
    }

    /**
     * The text chunks (tEXt, zTXt, iTXt, compressed or not) of a PNG, keyword to text, in file
     * order; when a keyword repeats, the first occurrence wins.
     *
     * @throws IOException if the data is not a well-formed PNG (signature, chunk lengths, CRCs)
     */
    public static Map<String, String> readText(byte[] png) throws IOException {
        if (png.length < SIGNATURE.length || !Arrays.equals(Arrays.copyOf(png, SIGNATURE.length), SIGNATURE)) {
            throw new IOException("not a PNG file: the 8-byte PNG signature is missing");
        }
        Map<String, String> text = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.wrap(png);
        int pos = SIGNATURE.length;
        while (true) {
            if (pos + 12 > png.length) {
                throw new IOException("truncated PNG: chunk header at byte " + pos + " runs past the end ("
                        + png.length + " bytes) before IEND");
            }
            long length = Integer.toUnsignedLong(buf.getInt(pos));
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > png.length - pos - 12L) {
                throw new IOException("truncated PNG: chunk " + type + " at byte " + pos + " declares " + length
                        + " data bytes, more than the file holds");
            }
            int dataStart = pos + 8;
            int len = (int) length;
            CRC32 crc = new CRC32();
            crc.update(png, pos + 4, 4 + len);
            long stored = Integer.toUnsignedLong(buf.getInt(dataStart + len));
            if (crc.getValue() != stored) {
                throw new IOException("corrupt PNG: CRC mismatch in chunk " + type + " at byte " + pos);
            }
            byte[] data = Arrays.copyOfRange(png, dataStart, dataStart + len);
            switch (type) {
                case "tEXt" -> putText(text, parseTEXt(data));
                case "zTXt" -> putText(text, parseZTXt(data));
                case "iTXt" -> putText(text, parseITXt(data));
                default -> {
                }
            }
            pos = dataStart + len + 4;
            if (type.equals("IEND")) {
                return Collections.unmodifiableMap(text);
            }
        }
    }

    /** The generation parameters stored in a PNG, if it has a {@value #PARAMETERS} chunk. */
    public static java.util.Optional<ImageParameters> readParameters(byte[] png) throws IOException {
        String s = readText(png).get(PARAMETERS);
        return s == null ? java.util.Optional.empty() : java.util.Optional.of(ImageParameters.parse(s));
    }

    // ------------------------------------------------------------------ writing

    private static void checkKeyword(String keyword) {
        if (keyword == null || keyword.isEmpty() || keyword.length() > 79) {
            throw new IllegalArgumentException("PNG text keyword must be 1-79 characters, got "
                    + (keyword == null ? "null" : "'" + keyword + "' (" + keyword.length() + ")"));
        }
        for (int i = 0; i < keyword.length(); i++) {
            char c = keyword.charAt(i);
            if (!((c >= 32 && c <= 126) || (c >= 161 && c <= 255))) {
                throw new IllegalArgumentException("PNG text keyword '" + keyword
                        + "' may hold only printable Latin-1 characters; character " + i + " is U+"
                        + String.format("%04X", (int) c));
            }
        }
        if (keyword.startsWith(" ") || keyword.endsWith(" ") || keyword.contains("  ")) {
            throw new IllegalArgumentException("PNG text keyword '" + keyword
                    + "' may not have leading, trailing or consecutive spaces");
        }
    }

    private static void writeTextChunk(ByteArrayOutputStream out, String keyword, String value) throws IOException {
        CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(keyword.getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        String type;
        if (latin1.canEncode(value) && value.indexOf('\0') < 0) {
            // tEXt: keyword NUL text(Latin-1)
            type = "tEXt";
            data.write(value.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            // iTXt: keyword NUL compression-flag(0) method(0) language-tag NUL translated-keyword NUL text(UTF-8)
            type = "iTXt";
            data.write(0);
            data.write(0);
            data.write(0);
            data.write(0);
            data.write(value.getBytes(StandardCharsets.UTF_8));
        }
        writeChunk(out, type, data.toByteArray());
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32(); // over type and data
        crc.update(typeBytes);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    // ------------------------------------------------------------------ reading

    private record Entry(String keyword, String text) {
    }

    private static void putText(Map<String, String> text, Entry e) {
        text.putIfAbsent(e.keyword(), e.text());
    }

    private static int nul(byte[] data, int from, String chunk) throws IOException {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        throw new IOException("malformed " + chunk + " chunk: missing NUL separator");
    }

    private static Entry parseTEXt(byte[] data) throws IOException {
        int k = nul(data, 0, "tEXt");
        return new Entry(new String(data, 0, k, StandardCharsets.ISO_8859_1),
                new String(data, k + 1, data.length - k - 1, StandardCharsets.ISO_8859_1));
    }

    private static Entry parseZTXt(byte[] data) throws IOException {
        int k = nul(data, 0, "zTXt");
        if (k + 1 >= data.length || data[k + 1] != 0) {
            throw new IOException("malformed zTXt chunk: unknown compression method");
        }
        byte[] inflated = inflate(Arrays.copyOfRange(data, k + 2, data.length));
        return new Entry(new String(data, 0, k, StandardCharsets.ISO_8859_1),
                new String(inflated, StandardCharsets.ISO_8859_1));
    }

    private static Entry parseITXt(byte[] data) throws IOException {
        int k = nul(data, 0, "iTXt");
        if (k + 2 >= data.length) {
            throw new IOException("malformed iTXt chunk: truncated after the keyword");
        }
        boolean compressed = data[k + 1] != 0;
        int lang = nul(data, k + 3, "iTXt");
        int translated = nul(data, lang + 1, "iTXt");
        byte[] body = Arrays.copyOfRange(data, translated + 1, data.length);
        if (compressed) {
            if (data[k + 2] != 0) {
                throw new IOException("malformed iTXt chunk: unknown compression method " + data[k + 2]);
            }
            body = inflate(body);
        }
        return new Entry(new String(data, 0, k, StandardCharsets.ISO_8859_1), new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] inflate(byte[] compressed) throws IOException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IOException("malformed compressed text: the zlib stream ends early");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_TEXT_BYTES) {
                    throw new IOException("compressed text inflates to more than " + MAX_TEXT_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IOException("malformed compressed text: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
