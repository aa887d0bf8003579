package dev.easel.sd.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.*;

class PngTest {
    private static BufferedImage image() {
        BufferedImage img = new BufferedImage(12, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                img.setRGB(x, y, (x * 20 << 16) | (y * 30 << 8) | (x + y));
            }
        }
        return img;
    }

    /** Chunk types in file order. */
    private static List<String> chunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(png);
        int pos = 8;
        while (pos < png.length) {
            int len = b.getInt(pos);
            types.add(new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1));
            pos += 12 + len;
        }
        return types;
    }

    @Test
    void parametersRoundTripThroughATextChunkInTheUsualFormat() throws IOException {
        // given
        ImageParameters p = new ImageParameters("a lighthouse at dusk, oil painting", "blurry, low quality",
                25, "Euler a", 7.0, 42, 512, 512, "sd15", Map.of());
        // when
        byte[] png = Png.encode(image(), p);
        // then: the text is the familiar three lines, in a tEXt chunk before the image data
        assertEquals("a lighthouse at dusk, oil painting\nNegative prompt: blurry, low quality\n"
                + "Steps: 25, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: sd15", p.toText());
        List<String> types = chunkTypes(png);
        assertEquals("IHDR", types.get(0));
        assertEquals("tEXt", types.get(1));
        assertTrue(types.indexOf("IDAT") > 1);
        assertEquals(Map.of("parameters", p.toText()), Png.readText(png));
        assertEquals(p, Png.readParameters(png).orElseThrow());
        assertArrayEquals(ImageConversion.rgbPixels(image()), ImageConversion.rgbPixels(Png.readImage(png)));
    }

    @Test
    void nonLatinPromptsGoIntoAnUtf8ITXtChunk() throws IOException {
        // given a Japanese prompt with an emoji and a German negative prompt
        ImageParameters p = new ImageParameters("東京の夜景、ネオンライト、雨 🌧", "unscharf, Übersättigung", 30,
                "DPM++ 2M Karras", 7.5, 3_000_000_000L, 768, 512, "sd21", Map.of());
        // when
        byte[] png = Png.encode(image(), p);
        // then
        assertTrue(chunkTypes(png).contains("iTXt"));
        assertFalse(chunkTypes(png).contains("tEXt"));
        ImageParameters back = Png.readParameters(png).orElseThrow();
        assertEquals(p, back);
        assertEquals("東京の夜景、ネオンライト、雨 🌧", back.prompt());
        assertEquals(7.5, back.cfgScale());
        assertEquals(3_000_000_000L, back.seed());
    }

    @Test
    void latin1TextStaysInTEXtAndSeveralChunksKeepTheirOrder() throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "café crème\nSteps: 1, Sampler: DDIM, CFG scale: 1, Seed: 0, Size: 8x8");
        text.put("Software", "Easel");
        byte[] png = Png.encode(image(), text);
        assertEquals(List.of("IHDR", "tEXt", "tEXt"), chunkTypes(png).subList(0, 3));
        assertEquals(List.copyOf(text.entrySet()), List.copyOf(Png.readText(png).entrySet()));
        assertEquals("café crème", Png.readParameters(png).orElseThrow().prompt());
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] deflate(byte[] in) {
        Deflater d = new Deflater();
        d.setInput(in);
        d.finish();
        byte[] buf = new byte[in.length + 64];
        int n = d.deflate(buf);
        d.end();
        return java.util.Arrays.copyOf(buf, n);
    }

    @Test
    void readsCompressedZTXtAndITXtChunksWrittenByOtherTools() throws IOException {
        // given a PNG with a zTXt and a compressed iTXt chunk inserted after IHDR
        byte[] plain = Png.encode(image(), Map.of());
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        z.writeBytes("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1));
        z.writeBytes(deflate("zipped comment".getBytes(StandardCharsets.ISO_8859_1)));
        ByteArrayOutputStream i = new ByteArrayOutputStream();
        i.writeBytes("Title\0\1\0ja\0題名\0".getBytes(StandardCharsets.UTF_8));
        i.writeBytes(deflate("夜の灯台".getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(plain, 0, 33);
        png.writeBytes(chunk("zTXt", z.toByteArray()));
        png.writeBytes(chunk("iTXt", i.toByteArray()));
        png.write(plain, 33, plain.length - 33);
        // when
        Map<String, String> text = Png.readText(png.toByteArray());
        // then
        assertEquals(Map.of("Comment", "zipped comment", "Title", "夜の灯台"), text);
        assertTrue(Png.readParameters(png.toByteArray()).isEmpty());
    }

    @Test
    void corruptOrForeignDataIsRejected() throws IOException {
        byte[] png = Png.encode(image(), Map.of("parameters", "x"));
        png[45] ^= 1; // inside the tEXt chunk's data
        IOException crc = assertThrows(IOException.class, () -> Png.readText(png));
        assertTrue(crc.getMessage().contains("CRC mismatch in chunk tEXt"), crc.getMessage());
        IOException sig = assertThrows(IOException.class, () -> Png.readText("GIF89a....".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(sig.getMessage().contains("signature"), sig.getMessage());
        byte[] ok = Png.encode(image(), Map.of());
        IOException cut = assertThrows(IOException.class, () -> Png.readText(java.util.Arrays.copyOf(ok, ok.length - 20)));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Png.encode(image(), Map.of("bad\nkey", "v")));
        assertThrows(IllegalArgumentException.class, () -> Png.encode(image(), Map.of("", "v")));
    }
}
