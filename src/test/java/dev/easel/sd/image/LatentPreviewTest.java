package dev.easel.sd.image;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LatentPreviewTest {

    @Test
    void latentPixelMapsThroughTheSd1FactorMatrix() {
        // given one latent pixel l = (1, 0, 0, -1) and another l = (0, 0, 0, 0)
        // [B=1, C=4, h=1, w=2], channel planes of 2 values each
        float[] latents = {1f, 0f, 0f, 0f, 0f, 0f, -1f, 0f};
        // when
        BufferedImage img = LatentPreview.sd1().render(latents, 1, 1, 2, 0, 1);
        // then, by hand: R = 0.3512 + 0.2120 = 0.5632 -> (0.5632 + 1) / 2 * 255 = 199.3 -> 199
        //                G = 0.2297 + 0.2616 = 0.4913 -> 190.1 -> 190
        //                B = 0.3227 + 0.7177 = 1.0404 -> clamped to 1 -> 255
        assertEquals(2, img.getWidth());
        assertEquals(1, img.getHeight());
        assertEquals((199 << 16) | (190 << 8) | 255, img.getRGB(0, 0) & 0xffffff);
        // a zero latent is mid grey (0.5 * 255 = 127.5 -> 128)
        assertEquals(0x808080, img.getRGB(1, 0) & 0xffffff);
    }

    @Test
    void scaleEnlargesEachLatentPixelIntoABlockAndIndexPicksTheBatchEntry() {
        // given two batch entries of 1 x 1 latents: entry 1 is l = (0, 1, 0, 0)
        float[] latents = {0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f};
        // when
        BufferedImage img = LatentPreview.sd1().render(latents, 2, 1, 1, 1, 3);
        // then: R = 0.3250 -> 169.0 -> 169, G = 0.4974 -> 190.9 -> 191, B = 0.2350 -> 157.5 -> 157.46.. -> 157
        assertEquals(3, img.getWidth());
        assertEquals(3, img.getHeight());
        int expected = (169 << 16) | (191 << 8) | 157;
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(expected, img.getRGB(x, y) & 0xffffff, "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void customFactorsBiasAndNdArrayInput() {
        LatentPreview identityish = new LatentPreview(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new float[] {0f, 0f, -0.5f});
        try (NDManager m = NDManager.newBaseManager()) {
            List<BufferedImage> out = identityish.renderAll(m.create(new float[] {1f, -1f, 0f}, new Shape(1, 3, 1, 1)), 1);
            assertEquals(1, out.size());
            // R 1 -> 255, G -1 -> 0, B 0 - 0.5 = -0.5 -> 0.25 * 255 = 63.75 -> 64
            assertEquals((255 << 16) | 64, out.get(0).getRGB(0, 0) & 0xffffff);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LatentPreview.sd1().render(new float[7], 1, 1, 2, 0, 1));
        assertTrue(e.getMessage().contains("need 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LatentPreview(new float[][] {{1, 2}}, new float[3]));
    }
}
