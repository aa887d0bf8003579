package dev.easel.adapter.discord;

import dev.easel.sd.image.Jpeg;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UploadFitterTest {
    /** Noise: large as PNG, much smaller as JPEG. */
    static byte[] noisyPng(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void aPngThatFitsIsSentAsItIs() throws Exception {
        byte[] png = noisyPng(64, 48);
        UploadFitter.Fitted f = UploadFitter.fit(png, "grid", png.length);
        assertEquals(UploadFitter.Form.PNG, f.form());
        assertEquals("grid.png", f.fileName());
        assertArrayEquals(png, f.bytes());
        assertEquals(64, f.width());
    }

    @Test
    void aPngOneByteTooLargeBecomesTheBestJpegThatFits() throws Exception {
        byte[] png = noisyPng(64, 64);
        UploadFitter.Fitted f = UploadFitter.fit(png, "grid", png.length - 1);
        assertEquals(UploadFitter.Form.JPEG, f.form());
        assertEquals("grid.jpg", f.fileName());
        assertEquals(0.95f, f.quality(), 1e-6, "noise at 64×64 fits at the first quality tried");
        assertTrue(f.bytes().length <= png.length - 1);
        assertEquals(64, ImageIO.read(new ByteArrayInputStream(f.bytes())).getWidth());
    }

    @Test
    void whenNoJpegOfTheFullPictureFitsItIsDownscaledByThreeQuartersAtATime() throws Exception {
        byte[] png = noisyPng(128, 96);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        long floor = Jpeg.encode(image, UploadFitter.MIN_JPEG_QUALITY).length;
        UploadFitter.Fitted f = UploadFitter.fit(png, "upscale", floor - 1);
        assertEquals(UploadFitter.Form.JPEG_DOWNSCALED, f.form());
        assertEquals(96, f.width());
        assertEquals(72, f.height());
        assertTrue(f.bytes().length <= floor - 1);
        BufferedImage sent = ImageIO.read(new ByteArrayInputStream(f.bytes()));
        assertEquals(96, sent.getWidth());
        assertEquals(72, sent.getHeight());
    }

    @Test
    void anImpossibleLimitIsAClearError() throws Exception {
        byte[] png = noisyPng(32, 32);
        IOException e = assertThrows(IOException.class, () -> UploadFitter.fit(png, "grid", 100));
        assertEquals("a 32x32 picture does not fit in 100 bytes even as a small JPEG", e.getMessage());
    }
}
