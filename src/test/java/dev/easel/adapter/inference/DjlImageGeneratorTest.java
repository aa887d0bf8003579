package dev.easel.adapter.inference;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.types.DataType;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ProgressListener;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.ParseResult;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.job.Sampler;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The ImageGenerator port on the real pipeline (tiny golden model, CPU, float32). */
class DjlImageGeneratorTest {
    static StableDiffusionPipeline pipe;
    static DjlImageGenerator engine;

    @BeforeAll
    static void load() throws IOException {
        pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(), DataType.FLOAT32, null);
        engine = new DjlImageGenerator(pipe, "tiny", DjlImageGenerator.defaultBatchPixels(false));
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    static GenerationParams parse(String line) {
        PromptParser parser = new PromptParser(new PromptParser.Settings("tiny", 64, 10, 7.5, Sampler.EULER_A, 512, 150, 4, 2000));
        ParseResult r = parser.parse(line);
        if (r instanceof ParseResult.Parsed p) {
            return p.params();
        }
        throw new AssertionError(((ParseResult.Invalid) r).message());
    }

    @Test
    void seededGridEqualsDiffusersPerSeedImages() throws Exception {
        // given the golden case's own command line, parsed exactly as /imagine parses it
        GenerationParams p = parse("a red fox in the snow --seed 1234 --steps 12 --cfg 6.0 --sampler euler_a --size 64x64 --no blurry, low quality");
        // when the engine runs the job's four candidates
        var result = engine.generate(List.of(new GenerationRequest.TextToImage(p, p.candidates(), null)));
        List<BufferedImage> images = ((GenerationResult.Images) result.get(0)).images();
        // then candidate i equals diffusers' image for seed 1234 + i (8-bit, at most one level of rounding)
        for (int i = 0; i < 4; i++) {
            BufferedImage golden = ImageIO.read(Golden.path("seeded/euler_a-negative/image-" + (i + 1) + ".png").toFile());
            assertTrue(Golden.maxPixelDiff(golden, images.get(i)) <= 1, "candidate " + (i + 1));
        }
    }

    @Test
    void mergedJobsKeepTheirOwnPixels() throws Exception {
        GenerationParams a = parse("a lighthouse at dusk --seed 7 --steps 6 --size 64x64 --chaos 50");
        GenerationParams b = parse("a red fox --seed 99 --steps 6 --size 64x64 --no snow");
        var merged = engine.generate(List.of(new GenerationRequest.TextToImage(a, a.candidates(), null),
                new GenerationRequest.TextToImage(b, b.candidates(), null)));
        var aloneB = engine.generate(List.of(new GenerationRequest.TextToImage(b, b.candidates(), null)));
        List<BufferedImage> m = ((GenerationResult.Images) merged.get(1)).images();
        List<BufferedImage> s = ((GenerationResult.Images) aloneB.get(0)).images();
        for (int i = 0; i < 4; i++) {
            assertTrue(Golden.maxPixelDiff(m.get(i), s.get(i)) <= 1, "candidate " + i + " changed when merged");
        }
        assertEquals(8, engine.lastRun().images() + 4, "the merged call denoised 8 images (last run was the solo one)");
    }

    @Test
    void upscaleDoublesTheCandidateAndVariationsKeepTheSize() throws Exception {
        GenerationParams p = parse("a castle --seed 5 --steps 8 --size 64x64");
        BufferedImage source = ((GenerationResult.Images) engine.generate(
                List.of(new GenerationRequest.TextToImage(p, p.candidates(), null))).get(0)).images().get(1);
        var up = engine.generate(List.of(new GenerationRequest.Upscale(p, source, 2, 0.3, p.candidates().get(1), null)));
        BufferedImage big = ((GenerationResult.Images) up.get(0)).images().get(0);
        assertEquals(128, big.getWidth());
        assertEquals(128, big.getHeight());
        var again = engine.generate(List.of(new GenerationRequest.Upscale(p, source, 2, 0.3, p.candidates().get(1), null)));
        assertEquals(0, Golden.maxPixelDiff(big, ((GenerationResult.Images) again.get(0)).images().get(0)), "upscale is reproducible");
        var vary = engine.generate(List.of(new GenerationRequest.ImageToImage(p, source, 0.35, p.candidates(), null)));
        List<BufferedImage> variations = ((GenerationResult.Images) vary.get(0)).images();
        assertEquals(4, variations.size());
        assertEquals(64, variations.get(0).getWidth());
        assertTrue(Golden.maxPixelDiff(variations.get(0), variations.get(3)) > 0, "variations differ from each other");
    }

    @Test
    void aListenerThatSaysStopCancelsItsRequest() throws Exception {
        GenerationParams p = parse("a tree --seed 3 --steps 10 --size 64x64");
        AtomicInteger calls = new AtomicInteger();
        ProgressListener stopAt4 = (step, total, preview) -> calls.incrementAndGet() < 4;
        var r = engine.generate(List.of(new GenerationRequest.TextToImage(p, p.candidates(), stopAt4)));
        assertEquals(new GenerationResult.Cancelled(4), r.get(0));
        assertEquals(4, calls.get());
    }

    @Test
    void previewsAreDrawnOnlyWhenWanted() throws Exception {
        GenerationParams p = parse("a tree --seed 3 --steps 3 --size 64x64");
        AtomicInteger previews = new AtomicInteger();
        ProgressListener l = new ProgressListener() {
            @Override
            public boolean onStep(int step, int total, BufferedImage preview) {
                if (preview != null) {
                    previews.incrementAndGet();
                    assertEquals(8, preview.getWidth(), "latent-sized preview of the first candidate");
                }
                return true;
            }

            @Override
            public boolean wantsPreview(int step, int total) {
                return step == total;
            }
        };
        engine.generate(List.of(new GenerationRequest.TextToImage(p, p.candidates(), l)));
        assertEquals(1, previews.get());
    }

    @Test
    void wrongModelAndOutOfMemoryGiveReadableReasons() {
        GenerationParams p = parse("a tree --seed 3 --steps 3 --size 64x64");
        GenerationParams other = new GenerationParams(p.prompt(), p.negativePrompt(), 64, 64, 3, 7.5, Sampler.DDIM,
                OptionalLong.of(1), 0, p.stylize(), false, 1.0, "sd21", 0, 4);
        GenerationFailedException e = assertThrows(GenerationFailedException.class,
                () -> engine.generate(List.of(new GenerationRequest.TextToImage(other, other.candidates(), null))));
        assertTrue(e.reason().contains("'sd21' is not loaded"), e.reason());
        assertTrue(DjlImageGenerator.isOutOfMemory(new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB")));
        assertFalse(DjlImageGenerator.isOutOfMemory(new EngineException("shape mismatch")));
        assertEquals(8, engine.maxBatchImages(256, 256) / 2, "CPU budget: one job's four 512² images = 16 at 256²");
    }
}
