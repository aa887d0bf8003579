package dev.easel.sd.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class JpegTest {
    private static BufferedImage noise() {
        BufferedImage img = new BufferedImage(128, 96, BufferedImage.TYPE_INT_ARGB);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 128; x++) {
                img.setRGB(x, y, 0xff000000 | (x * 2 << 16) | (y * 2 << 8) | (120 + r.nextInt(16)));
            }
        }
        return img;
    }

    @Test
    void lowerQualityGivesSmallerFilesThatStillDecodeAtTheSameSize() throws IOException {
        BufferedImage img = noise();
        byte[] high = Jpeg.encode(img, 0.95f);
        byte[] low = Jpeg.encode(img, 0.3f);
        assertTrue(low.length < high.length, low.length + " !< " + high.length);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(high));
        assertEquals(128, decoded.getWidth());
        assertEquals(96, decoded.getHeight());
        // a high-quality JPEG stays close to the original (alpha dropped, colours kept)
        assertTrue(meanAbsError(img, decoded) < 6, "mean abs error " + meanAbsError(img, decoded));
        assertTrue(meanAbsError(img, decoded) < meanAbsError(img, ImageIO.read(new ByteArrayInputStream(low))));
    }

    private static double meanAbsError(BufferedImage a, BufferedImage b) {
        int[] pa = ImageConversion.rgbPixels(a);
        int[] pb = ImageConversion.rgbPixels(b);
        double sum = 0;
        for (int i = 0; i < pa.length; i++) {
            for (int s = 0; s <= 16; s += 8) {
                sum += Math.abs(((pa[i] >>> s) & 0xff) - ((pb[i] >>> s) & 0xff));
            }
        }
        return sum / (3.0 * pa.length);
    }

    @Test
    void encodeWithinPicksTheBestQualityUnderTheLimit() throws IOException {
        BufferedImage img = noise();
        int limit = Jpeg.encode(img, 0.6f).length;
        Optional<Jpeg.Encoded> fit = Jpeg.encodeWithin(img, limit, 0.1f);
        assertTrue(fit.isPresent());
        assertEquals(0.6f, fit.get().quality(), 1e-6);
        assertTrue(fit.get().bytes().length <= limit);
        assertTrue(Jpeg.encodeWithin(img, 100, 0.5f).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> Jpeg.encode(img, 1.5f));
    }
}
