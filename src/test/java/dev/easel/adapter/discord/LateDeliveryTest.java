package dev.easel.adapter.discord;

import dev.easel.domain.job.JobId;
import dev.easel.testing.discord.FakeClock;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeInteraction;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;
import dev.easel.testing.discord.MemberSpec;
import dev.easel.testing.discord.RestRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.easel.adapter.discord.BotHarness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs that finish after their interaction's 15-minute token died: the stand-in's clock (a {@link FakeClock},
 * shared with the bot) jumps ahead while the engine holds the job.
 */
class LateDeliveryTest {
    @TempDir
    static Path dir;
    static FakeClock clock;
    static FakeDiscord discord;
    static GatedGenerator engine;
    static BotHarness h;

    @BeforeAll
    static void startBot() {
        clock = FakeClock.startingNow();
        discord = FakeDiscord.builder().clock(clock).start();
        engine = new GatedGenerator();
        h = new BotHarness(discord, dir, () -> engine, clock, 1, Map.of());
        h.startBot(1);
    }

    @AfterAll
    static void stopBot() {
        h.close();
    }

    @AfterEach
    void conformsToDiscordsApi() {
        discord.assertNoViolations();
    }

    /** Runs /imagine and lets the job finish only after the token's 15 minutes (and a second) passed. */
    static FakeInteraction imagineLate(FakeUser user, String prompt) throws InterruptedException {
        FakeInteraction i = h.imagine(user, prompt);
        i.awaitOriginal(m -> !m.isLoading(), WAIT);
        engine.awaitCall(WAIT);
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        engine.letOneThrough();
        return i;
    }

    @Test
    void aPublicResultAfterFifteenMinutesIsPostedInTheChannelMentioningTheOwner() throws Exception {
        FakeUser alice = discord.addUser("alice-late");

        FakeInteraction i = imagineLate(alice, "a slow sunrise");

        // then: a channel message (not a follow-up: the token is dead) that mentions alice, with the grid and buttons
        FakeMessage posted = discord.awaitMessage(m -> m.content().contains("a slow sunrise")
                && !m.attachments().isEmpty(), WAIT);
        assertEquals(discord.guild().textChannelId(), posted.channelId());
        assertEquals(0, posted.interactionId(), "an ordinary channel message");
        assertFalse(posted.isEphemeral());
        assertTrue(posted.content().startsWith(alice.mention() + ", your images are ready:\n**a slow sunrise**"),
                posted.content());
        assertEquals(List.of(5, 4), posted.buttonRows().stream().map(List::size).toList());
        assertTrue(i.followUps().isEmpty());
        RestRequest post = discord.requests().matching("POST", "/channels/{channel_id}/messages").stream()
                .filter(r -> r.path().contains(Long.toString(posted.channelId()))).findFirst().orElseThrow();
        assertEquals(Long.toString(alice.id()), post.json().path("allowed_mentions").path("users").get(0).asText());
        JobId id = BotHarness.jobOf(posted);
        assertEquals(Delivery.Via.CHANNEL, h.awaitDelivery(id).via());
        // and the dead token was not used after the jump
        assertTrue(discord.requests().all().stream().noneMatch(r -> discord.requests().statusOf(r).orElse(0) == 401),
                "no request with an expired token");

        // the buttons of the late message work like any other
        FakeInteraction press = discord.pressButton(posted.id(), "v1:up:" + id + ":1", alice);
        engine.awaitCall(WAIT);
        engine.letOneThrough();
        FakeMessage up = BotHarness.result(press);
        assertEquals("upscale.png", up.attachments().get(0).filename());
    }

    @Test
    void aPrivateResultAfterFifteenMinutesGoesByDirectMessage() throws Exception {
        FakeUser gus = discord.addUser("gus-late");
        for (String plan : List.of("basic", "private")) {
            discord.slashCommand("plans").subcommand("assign").user(discord.owner()).member(MemberSpec.admin(discord.guild()))
                    .option("user", gus).option("plan", plan).send().awaitOriginal(m -> !m.isLoading(), WAIT);
        }
        int channelPosts = discord.requests().matching("POST", "/channels/{channel_id}/messages").size();

        FakeInteraction i = imagineLate(gus, "a private sunset");

        FakeMessage dm = discord.awaitMessage(m -> m.content().contains("a private sunset")
                && !m.attachments().isEmpty(), WAIT);
        assertEquals(discord.dmChannelId(gus).orElseThrow(), dm.channelId());
        assertFalse(dm.content().contains("<@"), "a DM mentions no one: " + dm.content());
        assertEquals(Delivery.Via.DM, h.awaitDelivery(BotHarness.jobOf(dm)).via());
        assertTrue(i.followUps().isEmpty());
        // nothing went to the server's channel
        assertTrue(discord.requests().matching("POST", "/channels/{channel_id}/messages").stream()
                .skip(channelPosts).allMatch(r -> r.path().contains(Long.toString(dm.channelId()))));
    }
}
