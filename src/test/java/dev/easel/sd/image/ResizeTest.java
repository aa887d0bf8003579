package dev.easel.sd.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

class ResizeTest {
    /** Reference images made by Pillow 9.4.0 with fixtures/resize/make_fixtures.py. */
    private static BufferedImage fixture(String name) throws IOException {
        return ImageIO.read(ResizeTest.class.getResource("/fixtures/resize/" + name));
    }

    private static int differingChannels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        int[] e = ImageConversion.rgbPixels(expected);
        int[] a = ImageConversion.rgbPixels(actual);
        int n = 0;
        for (int i = 0; i < e.length; i++) {
            for (int s = 0; s <= 16; s += 8) {
                if (((e[i] >>> s) & 0xff) != ((a[i] >>> s) & 0xff)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void matchesPillowLanczosBicubicAndBilinearPixelForPixel() throws IOException {
        // given a 70 x 53 image and Pillow 9.4's resizes of it
        BufferedImage input = fixture("input.png");
        // when / then: no channel of any pixel differs
        assertEquals(0, differingChannels(fixture("lanczos_64x48.png"), Resize.resize(input, 64, 48)), "lanczos down");
        assertEquals(0, differingChannels(fixture("lanczos_140x106.png"), Resize.upscale2x(input)), "lanczos 2x up");
        assertEquals(0, differingChannels(fixture("bicubic_35x80.png"),
                Resize.resize(input, 35, 80, Resize.Filter.BICUBIC)), "bicubic");
        assertEquals(0, differingChannels(fixture("bilinear_23x17.png"),
                Resize.resize(input, 23, 17, Resize.Filter.BILINEAR)), "bilinear");
    }

    @Test
    void aFlatImageStaysFlatAndTheSameSizeIsACopy() {
        BufferedImage flat = new BufferedImage(13, 7, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 13; x++) {
                flat.setRGB(x, y, 0x336699);
            }
        }
        for (Resize.Filter f : Resize.Filter.values()) {
            BufferedImage out = Resize.resize(flat, 31, 5, f);
            for (int p : ImageConversion.rgbPixels(out)) {
                assertEquals(0x336699, p, f.name());
            }
        }
        BufferedImage same = Resize.resize(flat, 13, 7);
        assertNotSame(flat, same);
        assertArrayEquals(ImageConversion.rgbPixels(flat), ImageConversion.rgbPixels(same));
    }

    @Test
    void invalidTargetSizesAreRejected() {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resize.resize(img, 0, 4));
        assertTrue(e.getMessage().contains("0 x 4"), e.getMessage());
    }
}
