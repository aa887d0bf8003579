package dev.easel.adapter.discord;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.testing.Golden;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bot with the real engine (DJL, the tiny golden Stable Diffusion pipeline, CPU, float32): what reaches
 * Discord are the pixels the engine makes, and those equal the reference library's.
 */
class RealEngineTest {
    /** The real engine on a shared two-core machine: allow for a slow first run. */
    static final java.time.Duration ENGINE_WAIT = java.time.Duration.ofSeconds(90);
    @TempDir
    static Path dir;
    static StableDiffusionPipeline pipe;
    static DjlImageGenerator engine;
    static BotHarness h;
    static FakeDiscord discord;

    @BeforeAll
    static void start() throws Exception {
        pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(), DataType.FLOAT32, null);
        engine = new DjlImageGenerator(pipe, "tiny", DjlImageGenerator.defaultBatchPixels(false));
        discord = FakeDiscord.start();
        h = new BotHarness(discord, dir, () -> engine, Clock.systemUTC(), 1,
                Map.of("model", "tiny", "default-steps", "10", "default-sampler", "euler_a"));
        h.startBot(1);
    }

    @AfterAll
    static void stop() {
        try {
            h.close();
        } finally {
            pipe.close();
        }
    }

    static BufferedImage read(byte[] bytes) throws Exception {
        return ImageIO.read(new java.io.ByteArrayInputStream(bytes));
    }

    @Test
    void theGridIsTheReferenceImagesAndU2IsTheEnginesTwoTimesUpscaleOfCandidateTwo() throws Exception {
        FakeUser alice = discord.addUser("alice-real");

        // when: the golden case's own prompt is imagined through Discord
        FakeMessage grid = BotHarness.result(h.imagine(alice, "a lighthouse at dusk, oil painting --seed 42 --steps 10 "
                + "--cfg 7.5 --sampler ddim --size 64x64"), ENGINE_WAIT);

        // then: each quadrant of the uploaded grid is diffusers' image for seed 42 + i (one 8-bit level at most)
        BufferedImage posted = read(grid.attachments().get(0).bytes());
        assertEquals(128, posted.getWidth());
        for (int i = 0; i < 4; i++) {
            BufferedImage golden = ImageIO.read(Golden.path("seeded/ddim-square/image-" + (i + 1) + ".png").toFile());
            BufferedImage quadrant = posted.getSubimage((i % 2) * 64, (i / 2) * 64, 64, 64);
            int diff = DiscordBotTest.maxPixelDiff(golden, quadrant);
            assertTrue(diff <= 1, "candidate " + (i + 1) + " differs by " + diff);
        }

        // when: alice presses U2
        JobId gridId = BotHarness.jobOf(grid);
        FakeMessage up = BotHarness.result(discord.pressButton(grid.id(), "v1:up:" + gridId + ":2", alice), ENGINE_WAIT);

        // then: the posted image is exactly what the engine makes from candidate 2 with its seed at 2×
        Job upJob = h.job(BotHarness.jobOf(up));
        BufferedImage candidate2 = h.jobs.images().load(h.job(gridId).outputImageIds().get(1));
        List<GenerationResult> direct = engine.generate(List.of(new GenerationRequest.Upscale(upJob.params(),
                candidate2, 2, upJob.params().strength(), upJob.params().candidates().get(0), null)));
        BufferedImage want = ((GenerationResult.Images) direct.get(0)).images().get(0);
        BufferedImage got = read(up.attachments().get(0).bytes());
        assertEquals(128, got.getWidth());
        assertEquals(128, got.getHeight());
        assertEquals(43, upJob.seed(), "candidate 2's seed is 42 + 1");
        int diff = DiscordBotTest.maxPixelDiff(want, got);
        assertTrue(diff <= 1, "upscale differs from the engine's by " + diff);
        discord.assertNoViolations();
    }
}
