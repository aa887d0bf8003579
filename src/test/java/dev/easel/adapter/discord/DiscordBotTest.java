package dev.easel.adapter.discord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.quota.Member;
import dev.easel.testing.discord.FakeAttachment;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeInteraction;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;
import dev.easel.testing.discord.InteractionCallback;
import dev.easel.testing.discord.RestRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static dev.easel.adapter.discord.BotHarness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real JDA client in the bot against the stand-in Discord: one login for the class, one member per scenario.
 * Every scenario ends with no request off Discord's OpenAPI description.
 */
class DiscordBotTest {
    @TempDir
    static Path dir;
    static BotHarness h;
    static FakeDiscord discord;

    @BeforeAll
    static void startBot() {
        discord = FakeDiscord.start();
        h = BotHarness.start(discord, dir, 60);
    }

    @AfterAll
    static void stopBot() {
        h.close();
    }

    @AfterEach
    void conformsToDiscordsApi() {
        discord.assertNoViolations();
    }

    static BufferedImage picture(FakeAttachment a) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(a.bytes()));
    }

    @Test
    void imagineIsDeferredQueuedShowsThrottledProgressAndPostsTheGridWithTenButtons() throws Exception {
        FakeUser alice = discord.addUser("alice-imagine");

        // when: alice runs /imagine
        FakeInteraction i = h.imagine(alice, "a lighthouse at dusk --steps 12");

        // then: the bot acknowledged at once with a private deferred reply ...
        InteractionCallback ack = i.awaitCallback(WAIT);
        assertEquals(InteractionCallback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, ack.type());
        assertTrue(ack.isEphemeral());
        // ... and posted the grid as a public follow-up with the prompt, the owner, seed and model
        FakeMessage grid = BotHarness.result(i);
        assertFalse(grid.isEphemeral());
        JobId id = BotHarness.jobOf(grid);
        Job job = h.job(id);
        assertEquals(JobStatus.DONE, job.status());
        assertTrue(grid.content().startsWith("**a lighthouse at dusk** — " + alice.mention()), grid.content());
        assertTrue(grid.content().contains("seed " + job.seed() + " · fake · 12 steps · euler_a"), grid.content());
        FakeAttachment file = grid.attachments().get(0);
        assertEquals("grid.png", file.filename());
        assertEquals(128, picture(file).getWidth(), "a 2×2 grid of 64×64 candidates");
        assertEquals(128, picture(file).getHeight());
        // the ten buttons: U1-U4 and the re-roll, then V1-V4, all naming the job
        assertEquals(List.of(5, 4), grid.buttonRows().stream().map(List::size).toList());
        assertEquals(java.util.Arrays.asList("U1", "U2", "U3", "U4", null, "V1", "V2", "V3", "V4"),
                grid.buttonRows().stream().flatMap(List::stream).map(FakeMessage.FakeButton::label).toList());
        assertEquals(List.of("v1:up:" + id + ":1", "v1:up:" + id + ":2", "v1:up:" + id + ":3", "v1:up:" + id + ":4",
                "v1:rr:" + id + ":0", "v1:vx:" + id + ":1", "v1:vx:" + id + ":2", "v1:vx:" + id + ":3",
                "v1:vx:" + id + ":4"), grid.customIds());
        // and only the owner may be pinged (a prompt's "@everyone" never pings)
        RestRequest post = discord.requests().matching("POST", "/webhooks/{webhook_id}/{webhook_token}").stream()
                .filter(r -> r.path().contains(i.token())).findFirst().orElseThrow();
        JsonNode mentions = post.json().path("allowed_mentions");
        assertEquals(0, mentions.path("parse").size());
        assertEquals(Long.toString(alice.id()), mentions.path("users").get(0).asText());

        // and the private reply went: thinking → queued (with Cancel) → progress with a preview → done
        FakeMessage status = i.awaitOriginal(m -> m.content().contains("done"), WAIT);
        assertTrue(status.isEphemeral());
        List<FakeMessage> history = discord.messageHistory(status.id());
        assertTrue(history.get(0).isLoading());
        FakeMessage queued = history.get(1);
        assertTrue(queued.content().contains("a lighthouse at dusk") && queued.content().contains("queued"),
                queued.content());
        assertEquals(List.of("c1:" + id), queued.customIds(), "a Cancel button while waiting");
        List<FakeMessage> progress = history.stream().filter(m -> m.content().contains("%")).toList();
        assertFalse(progress.isEmpty(), "progress edits: " + history);
        assertTrue(progress.stream().anyMatch(m -> !m.attachments().isEmpty()
                && m.attachments().get(0).filename().equals("preview.png")), "a preview picture");
        FakeMessage last = history.get(history.size() - 1);
        assertEquals("\u2705 **a lighthouse at dusk** — done, posted in this channel.", last.content());
        assertTrue(last.attachments().isEmpty() && last.customIds().isEmpty(), "no preview, no Cancel at the end");
        // edits of the status message were at least the progress interval apart (300 ms; 250 allows for transit)
        List<RestRequest> edits = discord.requests().matching("PATCH",
                        "/webhooks/{webhook_id}/{webhook_token}/messages/@original").stream()
                .filter(r -> r.path().contains(i.token())).toList();
        for (int k = 1; k < edits.size(); k++) {
            long gap = Duration.between(edits.get(k - 1).receivedAt(), edits.get(k).receivedAt()).toMillis();
            assertTrue(gap >= 250, "edit " + k + " came " + gap + " ms after the previous one");
        }
        // the quota charged the four images, and the delivery is recorded without its token
        assertEquals(4, h.quota.usage(Member.of(discord.guild().id() + "", alice.id() + "")).used());
        Delivery d = h.delivery(id).orElseThrow();
        assertEquals(Delivery.State.DELIVERED, d.state());
        assertEquals(Delivery.Via.INTERACTION, d.via());
        assertEquals(Long.toString(grid.id()), d.resultMessageId());
        assertNull(d.interactionToken());
    }
}
