package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FakeImageGeneratorTest {
    private final FakeImageGenerator engine = new FakeImageGenerator();

    static void assertSamePixels(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        assertArrayEquals(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()),
                b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }

    static boolean samePixels(BufferedImage a, BufferedImage b) {
        return a.getWidth() == b.getWidth() && a.getHeight() == b.getHeight()
                && java.util.Arrays.equals(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()),
                b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }

    private static GenerationRequest.TextToImage txt(String prompt, long seed, ProgressListener l) {
        GenerationParams p = GenerationParams.of(prompt, "m", 128, 96, 6).withSeed(seed);
        return new GenerationRequest.TextToImage(p, p.candidates(), l);
    }

    private static List<BufferedImage> images(GenerationResult r) {
        return assertInstanceOf(GenerationResult.Images.class, r).images();
    }

    @Test
    void sameRequestSamePixelsAndCandidatesDiffer() throws Exception {
        List<BufferedImage> a = images(engine.generate(List.of(txt("fox", 5, null))).get(0));
        List<BufferedImage> b = images(engine.generate(List.of(txt("fox", 5, null))).get(0));
        assertEquals(4, a.size());
        assertEquals(128, a.get(0).getWidth());
        assertEquals(96, a.get(0).getHeight());
        for (int i = 0; i < 4; i++) {
            assertSamePixels(a.get(i), b.get(i));
        }
        assertFalse(samePixels(a.get(0), a.get(1)), "candidates have different seeds");
        List<BufferedImage> other = images(engine.generate(List.of(txt("wolf", 5, null))).get(0));
        assertFalse(samePixels(a.get(0), other.get(0)), "the prompt changes the picture");
    }

    @Test
    void batchingDoesNotChangePixels() throws Exception {
        List<BufferedImage> alone = images(engine.generate(List.of(txt("fox", 5, null))).get(0));
        List<GenerationResult> merged = engine.generate(List.of(txt("owl", 1, null), txt("fox", 5, null)));
        List<BufferedImage> inBatch = images(merged.get(1));
        for (int i = 0; i < 4; i++) {
            assertSamePixels(alone.get(i), inBatch.get(i));
        }
    }

    @Test
    void listenersSeeEveryStepAndCanCancelTheirOwnRequest() throws Exception {
        List<String> seen = new ArrayList<>();
        ProgressListener stopAt3 = (step, total, preview) -> {
            seen.add("a" + step + "/" + total);
            return step < 3;
        };
        ProgressListener previews = new ProgressListener() {
            @Override
            public boolean onStep(int step, int total, BufferedImage preview) {
                seen.add("b" + step + (preview != null ? "p" + preview.getWidth() : ""));
                return true;
            }

            @Override
            public boolean wantsPreview(int step, int total) {
                return step == 2;
            }
        };
        List<GenerationResult> r = engine.generate(List.of(txt("fox", 5, stopAt3), txt("owl", 1, previews)));
        assertEquals(new GenerationResult.Cancelled(3), r.get(0));
        assertEquals(4, images(r.get(1)).size());
        assertEquals(List.of("a1/6", "b1", "a2/6", "b2p16", "a3/6", "b3", "b4", "b5", "b6"), seen);
    }

    @Test
    void outOfMemoryAboveTheConfiguredBatch() {
        FakeImageGenerator small = new FakeImageGenerator(new FakeImageGenerator.Options(Duration.ZERO, 8, 4));
        GenerationOutOfMemoryException e = assertThrows(GenerationOutOfMemoryException.class,
                () -> small.generate(List.of(txt("a", 1, null), txt("b", 2, null))));
        assertTrue(e.reason().contains("8 images"), e.reason());
        assertDoesNotThrow(() -> small.generate(List.of(txt("a", 1, null))));
    }

    @Test
    void imageToImageAndUpscale() throws Exception {
        GenerationParams p = GenerationParams.of("fox", "m", 128, 96, 10).withSeed(3);
        BufferedImage init = images(engine.generate(List.of(txt("fox", 3, null))).get(0)).get(0);
        List<Integer> steps = new ArrayList<>();
        GenerationRequest.ImageToImage weak = new GenerationRequest.ImageToImage(p, init, 0.3, p.candidates(),
                (s, t, prev) -> steps.add(t));
        List<BufferedImage> vary = images(engine.generate(List.of(weak)).get(0));
        assertEquals(4, vary.size());
        assertEquals(3, steps.get(0), "image to image runs strength × steps");
        assertFalse(samePixels(init, vary.get(0)));
        GenerationRequest.Upscale up = new GenerationRequest.Upscale(p.withCandidateCount(1), init, 2, 0.3,
                p.candidates().get(0), null);
        BufferedImage big = images(engine.generate(List.of(up)).get(0)).get(0);
        assertEquals(256, big.getWidth());
        assertEquals(192, big.getHeight());
    }
}
