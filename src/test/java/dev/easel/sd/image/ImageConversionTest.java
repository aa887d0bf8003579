package dev.easel.sd.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageConversionTest {

    @Test
    void goldenPipelineImagesBecomeExactlyThePngPixelsDiffusersWrote() throws IOException {
        // given: diffusers' output_type="np" images [4, 64, 64, 3] in [0, 1] and its numpy_to_pil PNGs
        float[] images;
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("pipeline_runs/txt2img_ddim/golden.safetensors"))) {
            assertArrayEquals(new long[] {4, 64, 64, 3}, f.info("images").shape());
            images = f.readFloats("images");
        }
        // when
        List<BufferedImage> converted = ImageConversion.unitToImages(images, 4, 64, 64);
        // then: every pixel of every image is identical
        for (int i = 0; i < 4; i++) {
            BufferedImage png = ImageIO.read(Golden.path("pipeline_runs/txt2img_ddim/image_" + i + ".png").toFile());
            int[] expected = ImageConversion.rgbPixels(png);
            int[] actual = ImageConversion.rgbPixels(converted.get(i));
            int differing = 0;
            for (int p = 0; p < expected.length; p++) {
                if (expected[p] != actual[p]) {
                    differing++;
                }
            }
            assertEquals(0, differing, "pixels differing from image_" + i + ".png");
        }
    }

    @Test
    void decoderOutputIsDenormalizedThenRoundedHalfToEven() {
        // given a 1x3x1x6 decoder output (R plane, G plane, B plane)
        float[] x = {
            -1f, 1f, 0f, -3f, 5f, 1f,                 // R
            0f, 0.5f, -0.5f, Float.NaN, 0f, 0f,       // G
            0f, 0f, 0f, 0f, 0f, 1f};                  // B
        // when
        BufferedImage img = ImageConversion.decodedToImages(x, 1, 1, 6).get(0);
        // then: -1 -> 0, 1 -> 255, 0 -> 127.5 -> 128 (half to even), out of range clamped, NaN -> 0
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertEquals(0x00_80_80, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff_bf_80, img.getRGB(1, 0) & 0xffffff);       // G 0.75 * 255 = 191.25 -> 191
        assertEquals(0x80_40_80, img.getRGB(2, 0) & 0xffffff);       // G 0.25 * 255 = 63.75 -> 64
        assertEquals(0x00_00_80, img.getRGB(3, 0) & 0xffffff);       // R -3 clamped, G NaN -> 0
        assertEquals(0xff_80_80, img.getRGB(4, 0) & 0xffffff);       // R 5 clamped
        assertEquals(0xff_80_ff, img.getRGB(5, 0) & 0xffffff);
    }

    @Test
    void roundingIsHalfToEvenLikeNumpy() {
        assertEquals(2, ImageConversion.unitToByte(2.5f / 255f));
        assertEquals(4, ImageConversion.unitToByte(3.5f / 255f));
        assertEquals(128, ImageConversion.unitToByte(0.5f));
        assertEquals(0, ImageConversion.unitToByte(-0.1f));
        assertEquals(255, ImageConversion.unitToByte(1.7f));
    }

    @Test
    void initImageIsNormalizedExactlyAsDiffusersPreprocess() throws IOException {
        // given diffusers' img2img init image and its preprocessed tensor [1, 3, 64, 64]
        BufferedImage init = ImageIO.read(Golden.path("pipeline_runs/img2img_ddim/init_image.png").toFile());
        float[] expected;
        byte[] expectedBytes;
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("pipeline_runs/img2img_ddim/golden.safetensors"))) {
            expected = f.readFloats("init_image_preprocessed");
            expectedBytes = new byte[(int) f.info("init_image_uint8").numel()];
            f.raw("init_image_uint8").get(expectedBytes);
        }
        // when
        float[] actual = ImageConversion.imageToNormalized(init);
        float[] viaPreprocess = ImageConversion.preprocess(init, 8);
        // then: identical floats, and the pixels read are the golden uint8 [64, 64, 3]
        assertEquals(0.0, Golden.maxAbsDiff(expected, actual));
        assertArrayEquals(expected, viaPreprocess);
        int[] rgb = ImageConversion.rgbPixels(init);
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            assertEquals(expectedBytes[3 * i] & 0xff, (p >>> 16) & 0xff);
            assertEquals(expectedBytes[3 * i + 1] & 0xff, (p >>> 8) & 0xff);
            assertEquals(expectedBytes[3 * i + 2] & 0xff, p & 0xff);
        }
    }

    @Test
    void preprocessRoundsTheSizeDownToMultiplesOf8AndResizesWithLanczosLikePillow() throws IOException {
        // given a 70x53 image and Pillow's LANCZOS resize of it to 64x48
        BufferedImage input = ImageIO.read(ImageConversionTest.class.getResource("/fixtures/resize/input.png"));
        BufferedImage pillow = ImageIO.read(ImageConversionTest.class.getResource("/fixtures/resize/lanczos_64x48.png"));
        // when
        assertArrayEquals(new int[] {64, 48}, ImageConversion.preprocessSize(70, 53, 8));
        float[] x = ImageConversion.preprocess(input, 8);
        // then
        assertArrayEquals(ImageConversion.imageToNormalized(pillow), x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageConversion.preprocessSize(7, 100, 8));
        assertTrue(e.getMessage().contains("7 x 100"), e.getMessage());
    }

    @Test
    void grayImagesRepeatTheirValueInsteadOfGammaConverting() {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(1, 0, 0, 200);
        assertArrayEquals(new int[] {0x646464, 0xc8c8c8}, ImageConversion.rgbPixels(gray));
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x10_20_30_40);
        assertArrayEquals(new int[] {0x203040}, ImageConversion.rgbPixels(argb), "alpha dropped, colour kept");
    }

    @Test
    void ndArrayPathsMatchTheArrayPaths() {
        float[] x = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 17) / 8f - 1f;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(x, new Shape(2, 3, 4, 5));
            List<BufferedImage> fromNd = ImageConversion.decodedToImages(a);
            List<BufferedImage> fromArray = ImageConversion.decodedToImages(x, 2, 4, 5);
            for (int b = 0; b < 2; b++) {
                assertArrayEquals(ImageConversion.rgbPixels(fromArray.get(b)), ImageConversion.rgbPixels(fromNd.get(b)));
            }
            NDArray back = ImageConversion.imageToNormalized(m, fromArray.get(1));
            assertEquals(new Shape(1, 3, 4, 5), back.getShape());
            assertArrayEquals(ImageConversion.imageToNormalized(fromArray.get(1)), back.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> ImageConversion.decodedToImages(m.zeros(new Shape(1, 4, 2, 2))));
        }
    }

    @Test
    void wrongLengthsAreReportedWithTheExpectedShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageConversion.decodedToImages(new float[10], 1, 2, 2));
        assertTrue(e.getMessage().contains("[1, 3, 2, 2]") && e.getMessage().contains("needs 12"), e.getMessage());
    }
}
