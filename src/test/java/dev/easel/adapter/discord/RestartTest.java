package dev.easel.adapter.discord;

import dev.easel.JobServices;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeInteraction;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static dev.easel.adapter.discord.BotHarness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bot process restarts (new job service, new JDA session) on the same database, images and quotas. */
class RestartTest {
    @TempDir
    Path dir;
    BotHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.discord.assertNoViolations();
            h.close();
        }
    }

    @Test
    void buttonsOfAGridPostedBeforeARestartStillWork() {
        FakeDiscord discord = FakeDiscord.start();
        h = BotHarness.start(discord, dir, 10);
        FakeUser alice = discord.addUser("alice-restart");
        FakeMessage grid = BotHarness.result(h.imagine(alice, "an old lighthouse"));
        JobId gridId = BotHarness.jobOf(grid);

        // when: the bot restarts, then alice presses U2 on the old message
        h.restart();
        assertEquals(2, discord.gatewayLog().stream().filter(l -> l.startsWith("<- ") && l.contains("\"op\":2")).count(),
                "a second IDENTIFY: a new session");
        FakeMessage up = BotHarness.result(discord.pressButton(grid.id(), "v1:up:" + gridId + ":2", alice));

        // then: the new bot resolved the button from the database
        Job upJob = h.job(BotHarness.jobOf(up));
        assertEquals(JobKind.UPSCALE, upJob.kind());
        assertEquals(gridId, upJob.origin().parentId());
        assertEquals(1, upJob.origin().candidateIndex());
    }

    @Test
    void aJobFinishedWhileTheBotWasDownIsDeliveredWhenItComesBack() throws Exception {
        FakeDiscord discord = FakeDiscord.start();
        h = new BotHarness(discord, dir, FakeImageGenerator::new, Clock.systemUTC(), 0, Map.of());
        h.startBot(0); // no workers: the job waits
        FakeUser bo = discord.addUser("bo-down");
        FakeInteraction i = h.imagine(bo, "a harbour at dawn");
        FakeMessage status = i.awaitOriginal(m -> m.content().contains("queued"), WAIT);
        JobId id = new JobId(status.customIds().get(0).substring(Views.CANCEL_PREFIX.length()));

        // when: the bot stops, a separate worker process finishes the job, then the bot starts again
        h.stopBot();
        try (JobServices worker = JobServices.withPlans(h.config(), h.plans, JobNotifier.NONE, Clock.systemUTC())) {
            worker.newWorker(new FakeImageGenerator(), 0, 1).runUntilIdle(Duration.ofMillis(300));
        }
        assertTrue(i.followUps().isEmpty(), "nobody delivered it while the bot was down");
        h.startBot(0);

        // then: the new bot found the finished job's pending delivery and posted the grid through the stored token
        FakeMessage grid = BotHarness.result(i);
        assertEquals(id, BotHarness.jobOf(grid));
        assertEquals(JobStatus.DONE, h.job(id).status());
        assertEquals(Delivery.Via.INTERACTION, h.awaitDelivery(id).via());
        assertTrue(i.awaitOriginal(m -> m.content().contains("done"), WAIT).content()
                .endsWith("done, posted in this channel."));
    }
}
