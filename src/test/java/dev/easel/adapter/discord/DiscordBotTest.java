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
        assertTrue(queued.content().startsWith("\u23F3 **a lighthouse at dusk** — ")
                && (queued.content().contains("queued") || queued.content().contains("starting")), queued.content());
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
        assertEquals(4, h.quota().usage(Member.of(discord.guild().id() + "", alice.id() + "")).used());
        Delivery d = h.awaitDelivery(id);
        assertEquals(Delivery.State.DELIVERED, d.state());
        assertEquals(Delivery.Via.INTERACTION, d.via());
        assertEquals(Long.toString(grid.id()), d.resultMessageId());
        assertNull(d.interactionToken());
    }

    /** Runs /imagine for the user and returns the posted grid. */
    static FakeMessage grid(FakeUser user, String prompt) {
        return BotHarness.result(h.imagine(user, prompt));
    }

    static int maxPixelDiff(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    max = Math.max(max, Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff)));
                }
            }
        }
        return max;
    }

    /** Mean absolute difference per 8-bit channel. */
    static double meanPixelDiff(BufferedImage a, BufferedImage b) {
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    @Test
    void upscaleButtonPostsCandidateTwoEnlargedWithVaryButtons() throws Exception {
        FakeUser bea = discord.addUser("bea-upscale");
        FakeMessage grid = grid(bea, "a red fox in the snow");
        JobId gridId = BotHarness.jobOf(grid);

        // when: bea presses U2
        FakeInteraction press = discord.pressButton(grid.id(), "v1:up:" + gridId + ":2", bea);

        // then: a private status, and the upscale of candidate 2 posted publicly with Vary buttons
        assertEquals(InteractionCallback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, press.awaitCallback(WAIT).type());
        assertTrue(press.awaitCallback(WAIT).isEphemeral());
        FakeMessage up = BotHarness.result(press);
        Job upJob = h.job(BotHarness.jobOf(up));
        assertEquals(JobKind.UPSCALE, upJob.kind());
        assertEquals(gridId, upJob.origin().parentId());
        assertEquals(1, upJob.origin().candidateIndex(), "0-based candidate 2");
        assertTrue(up.content().startsWith("Upscale of image 2 of **a red fox in the snow** (2×) — " + bea.mention()),
                up.content());
        assertEquals("upscale.png", up.attachments().get(0).filename());
        assertEquals(List.of("Vary (Subtle)", "Vary (Strong)", "Upscale (2×)"), up.buttonRows().get(0).stream()
                .map(FakeMessage.FakeButton::label).toList());
        assertEquals(List.of("v1:vs:" + upJob.id() + ":1", "v1:vx:" + upJob.id() + ":1", "v1:up:" + upJob.id() + ":1"),
                up.customIds());
        // and the picture is exactly what the engine makes from candidate 2 with the candidate's seed at 2×
        Job gridJob = h.job(gridId);
        BufferedImage candidate2 = h.jobs.images().load(gridJob.outputImageIds().get(1));
        var expected = new dev.easel.application.FakeImageGenerator().generate(List.of(
                new dev.easel.application.GenerationRequest.Upscale(upJob.params(), candidate2, 2,
                        upJob.params().strength(), upJob.params().candidates().get(0), null)));
        BufferedImage want = ((dev.easel.application.GenerationResult.Images) expected.get(0)).images().get(0);
        BufferedImage got = picture(up.attachments().get(0));
        assertEquals(128, got.getWidth());
        assertEquals(0, maxPixelDiff(want, got));
        assertEquals(gridJob.params().candidates().get(1).seed(), upJob.seed(), "the candidate's own seed");
        // the press's private status ended "done"
        assertTrue(press.awaitOriginal(m -> m.content().contains("done"), WAIT).content()
                .startsWith("\u2705 Upscale of image 2 of"));
    }

    @Test
    void variationButtonPostsFourVariationsOfCandidateThreeAndRerollANewSeed() throws Exception {
        FakeUser cy = discord.addUser("cy-vary");
        FakeMessage grid = grid(cy, "a castle on a hill --seed 777");
        JobId gridId = BotHarness.jobOf(grid);
        Job gridJob = h.job(gridId);

        // when: V3, then the re-roll button
        FakeMessage varied = BotHarness.result(discord.pressButton(grid.id(), "v1:vx:" + gridId + ":3", cy));
        FakeMessage rerolled = BotHarness.result(discord.pressButton(grid.id(), "v1:rr:" + gridId + ":0", cy));

        // then: V3 made a new grid of four from candidate 3, with its own ten buttons
        Job v = h.job(BotHarness.jobOf(varied));
        assertEquals(JobKind.VARIATION, v.kind());
        assertEquals(2, v.origin().candidateIndex());
        assertEquals(gridJob.outputImageIds().get(2), v.origin().sourceImageId());
        assertEquals(4, v.outputImageIds().size());
        assertEquals(List.of(5, 4), varied.buttonRows().stream().map(List::size).toList());
        assertTrue(varied.content().startsWith("Variations of image 3 of **a castle on a hill**"), varied.content());
        assertEquals(128, picture(varied.attachments().get(0)).getWidth());
        // and the re-roll is the same prompt with another seed
        Job r = h.job(BotHarness.jobOf(rerolled));
        assertEquals(JobKind.REROLL, r.kind());
        assertEquals(gridJob.params().prompt(), r.params().prompt());
        assertTrue(r.seed() != 777, "a new seed");
        assertTrue(rerolled.content().startsWith("Re-roll of **a castle on a hill** — " + cy.mention()));
        // each press was charged as a new job: 4 + 4 + 4 images
        assertEquals(12, h.quota().usage(Member.of(Long.toString(discord.guild().id()), Long.toString(cy.id()))).used());
    }

    @Test
    void anotherMemberPressingTheOwnersButtonIsToldPrivatelyAndNothingIsCharged() {
        FakeUser owner = discord.addUser("dora-owner");
        FakeUser other = discord.addUser("eli-other");
        FakeMessage grid = grid(owner, "a quiet harbour");
        JobId gridId = BotHarness.jobOf(grid);
        int jobsBefore = h.jobs.list().list(Long.toString(other.id()), 10).size();

        // when: eli presses dora's U1
        FakeInteraction press = discord.pressButton(grid.id(), "v1:up:" + gridId + ":1", other);

        // then: only eli sees why, and no job was made or charged
        FakeMessage answer = press.awaitOriginal(m -> !m.isLoading(), WAIT);
        assertTrue(answer.isEphemeral());
        assertEquals("\u26D4 These buttons belong to " + owner.mention() + "'s images: only they (or a server admin) "
                + "can use them. Run /imagine to make your own.", answer.content());
        assertTrue(press.followUps().isEmpty());
        assertEquals(jobsBefore, h.jobs.list().list(Long.toString(other.id()), 10).size());
        assertEquals(0, h.quota().usage(Member.of(Long.toString(discord.guild().id()), Long.toString(other.id()))).used());

        // but a server admin may use them (and is charged for the new job)
        FakeInteraction byAdmin = discord.pressButton(grid.id(), "v1:up:" + gridId + ":1", discord.owner(),
                dev.easel.testing.discord.MemberSpec.admin(discord.guild()));
        FakeMessage up = BotHarness.result(byAdmin);
        assertEquals(Long.toString(discord.owner().id()), h.job(BotHarness.jobOf(up)).owner().userId());
    }

    /** An admin (the guild owner) runs {@code /<command> [group] sub} with options; returns the private answer. */
    static String asAdmin(String command, String sub, Object... options) {
        var b = discord.slashCommand(command).user(discord.owner())
                .member(dev.easel.testing.discord.MemberSpec.admin(discord.guild()));
        if (sub.contains(" ")) {
            b.subcommand(sub.split(" ")[0], sub.split(" ")[1]);
        } else {
            b.subcommand(sub);
        }
        for (int k = 0; k < options.length; k += 2) {
            b.option((String) options[k], options[k + 1]);
        }
        FakeInteraction i = b.send();
        FakeMessage answer = i.awaitOriginal(m -> !m.isLoading(), WAIT);
        assertTrue(answer.isEphemeral());
        return answer.content();
    }

    static String privately(FakeInteraction i) {
        FakeMessage m = i.awaitOriginal(x -> !x.isLoading(), WAIT);
        assertTrue(m.isEphemeral(), "a private answer: " + m);
        return m.content();
    }

    static Member member(FakeUser u) {
        return Member.of(Long.toString(discord.guild().id()), Long.toString(u.id()));
    }

    @Test
    void exhaustedQuotaIsRefusedPrivatelyWithTheRenewalDateAndABonusHelps() {
        FakeUser fay = discord.addUser("fay-quota");
        // given: an admin made a 4-image plan and gave it to fay
        assertTrue(asAdmin("plans", "create", "name", "four", "fields",
                "images=4 renews=monthly lane=fast displayName=\"Four pack\"").startsWith("\u2705 four: created"));
        assertTrue(asAdmin("plans", "assign", "user", fay, "plan", "four").startsWith("\u2705 user " + fay.id()
                + ": plan four without expiry"));
        grid(fay, "a windmill");

        // when: she asks for another grid
        FakeInteraction second = h.imagine(fay, "another windmill");

        // then: a private refusal saying what happened and what to do, and no job
        String refusal = privately(second);
        assertTrue(refusal.startsWith("\u26D4 Your Four pack plan's 4 images for this period are used up. It renews on "),
                refusal);
        assertTrue(refusal.endsWith(" UTC. Use /info to see your plan, usage and jobs."), refusal);
        assertTrue(second.followUps().isEmpty());
        assertEquals(1, h.jobs.list().list(Long.toString(fay.id()), 10).size());
        // an upscale (1 image) is refused too, until an admin grants a bonus image
        FakeMessage grid = discord.messages().stream().filter(m -> m.content().startsWith("**a windmill**"))
                .findFirst().orElseThrow();
        String upId = "v1:up:" + BotHarness.jobOf(grid) + ":1";
        assertTrue(privately(discord.pressButton(grid.id(), upId, fay)).startsWith("\u26D4 Your Four pack plan"));
        assertEquals("\u2705 user " + fay.id() + ": bonus: 0 → 1 (+1)", asAdmin("plans", "bonus", "user", fay, "images", 1L));
        FakeMessage up = BotHarness.result(discord.pressButton(grid.id(), upId, fay));
        assertEquals(JobKind.UPSCALE, h.job(BotHarness.jobOf(up)).kind());
    }

    @Test
    void privateMembersSeeEverythingEphemerallyAndNothingIsPublic() {
        FakeUser gus = discord.addUser("gus-private");
        asAdmin("plans", "assign", "user", gus, "plan", "basic");
        asAdmin("plans", "assign", "user", gus, "plan", "private");
        String prompt = "my secret garden";

        // when: gus imagines and upscales
        FakeInteraction i = h.imagine(gus, prompt);
        FakeMessage grid = BotHarness.result(i);
        JobId gridId = BotHarness.jobOf(grid);
        FakeInteraction press = discord.pressButton(grid.id(), "v1:up:" + gridId + ":3", gus);
        FakeMessage up = BotHarness.result(press);

        // then: status, grid, upscale: all ephemeral; the result mentions no one
        assertTrue(h.job(gridId).privateResult());
        assertTrue(grid.isEphemeral() && up.isEphemeral());
        assertFalse(grid.content().contains("<@"), grid.content());
        assertTrue(i.awaitOriginal(m -> m.content().contains("done"), WAIT).isEphemeral());
        assertTrue(press.awaitOriginal(m -> m.content().contains("done"), WAIT).isEphemeral());
        h.awaitDelivery(BotHarness.jobOf(up));
        List<FakeMessage> mentioningPrompt = discord.messages().stream().filter(m -> m.content().contains(prompt)).toList();
        assertTrue(mentioningPrompt.size() >= 4, mentioningPrompt.toString());
        assertTrue(mentioningPrompt.stream().allMatch(FakeMessage::isEphemeral), "nothing public: " + mentioningPrompt);
        assertTrue(discord.requests().matching("POST", "/channels/{channel_id}/messages").isEmpty(),
                "no channel message");

        // and /info says private mode is on; /settings can switch it off, then results are public again
        assertTrue(privately(discord.slashCommand("info").user(gus).send())
                .contains("**Private mode:** on — your results and prompts are visible only to you"));
        assertTrue(privately(discord.slashCommand("settings").user(gus).option("private", false).send())
                .contains("private mode: off"));
        assertFalse(BotHarness.result(h.imagine(gus, "a public garden")).isEphemeral());
    }

    @Test
    void privateModeIsRefusedWhenThePlanDoesNotAllowIt() {
        FakeUser hal = discord.addUser("hal-free");
        String answer = privately(discord.slashCommand("settings").user(hal).option("private", true).send());
        assertTrue(answer.startsWith("\u26D4 Private mode is not available on your plan"), answer);
        assertTrue(answer.contains("private mode: not available on your plan"), answer);
    }

    @Test
    void badParametersAndBannedWordsAreRefusedPrivatelyBeforeAnythingIsCharged() {
        FakeUser ivy = discord.addUser("ivy-refused");
        String bad = privately(h.imagine(ivy, "a cat --ar 3:x"));
        assertTrue(bad.startsWith("\u26A0\uFE0F I couldn't read that prompt: --ar "), bad);
        assertTrue(bad.endsWith("(parameters go after the description, e.g. `a lighthouse at dusk --ar 3:2`)."), bad);

        assertEquals("\u2705 \"gore\" is now banned in prompts on this server.",
                asAdmin("moderation", "words add", "word", "  Gore "));
        assertEquals("\"gore\" is already banned.", asAdmin("moderation", "words add", "word", "GORE"));
        assertEquals("**Banned in prompts (1):** \"gore\"", asAdmin("moderation", "words list"));
        String banned = privately(h.imagine(ivy, "Gore, blood and thunder"));
        assertEquals("\u26D4 This server does not allow \"gore\" in prompts. Rephrase your prompt and try again.", banned);
        assertFalse(privately(h.imagine(ivy, "gorey details --steps 1")).contains("does not allow"),
                "whole words only");
        assertEquals("\u2705 \"gore\" is allowed again.", asAdmin("moderation", "words remove", "word", "gore"));
        assertEquals("No words are banned on this server.", asAdmin("moderation", "words list"));
        // nothing was charged for the refusals (the one accepted job holds 4 images)
        assertEquals(1, h.jobs.list().list(Long.toString(ivy.id()), 10).size());
    }

    @Test
    void adminCommandsNeedManageServerAndExplainMistakes() {
        FakeUser jo = discord.addUser("jo-member");
        String refused = privately(discord.slashCommand("plans").subcommand("list").user(jo).send());
        assertEquals("\u26D4 Only members with the Manage Server permission can use this command.", refused);

        String list = asAdmin("plans", "list");
        assertTrue(list.startsWith("**Plans** (default: `free`, periods: anniversary)"), list);
        assertTrue(list.contains("• `basic` Basic — 100 images, renews monthly, fast lane, 3/10 jobs, private addon"), list);
        assertTrue(asAdmin("plans", "show", "plan", "standard").contains("• relaxAfter: 900"));
        assertEquals("\u274C plan: unknown plan 'gold'; plans are basic, free, private, standard",
                asAdmin("plans", "show", "plan", "gold").replace(", four", ""));
        assertTrue(asAdmin("plans", "set", "plan", "basic", "field", "maxQueued", "value", "2")
                .startsWith("\u274C maxQueued: must be at least maxRunning (3)"));
        assertEquals("\u2705 basic: images: 100 → 120", asAdmin("plans", "set", "plan", "basic", "field", "images",
                "value", "120"));
        assertTrue(asAdmin("plans", "create", "name", "x", "fields", "images=5 lane").startsWith(
                "\u274C fields: \"lane\" has no value (write lane=value)."));
        assertTrue(asAdmin("plans", "delete", "plan", "free").startsWith("\u274C replacement: plan free is in use"));
        assertTrue(asAdmin("plans", "role", "role", discord.guild().memberRoleId(), "plan", "basic")
                .startsWith("\u2705 role " + discord.guild().memberRoleId() + ": plan: none → basic"));
        assertTrue(asAdmin("plans", "role", "role", discord.guild().memberRoleId()).contains("plan: basic → none"));
        assertEquals("\u274C sku: 'abc' is not an id; copy the SKU id (a number) from the developer portal.",
                asAdmin("plans", "sku", "sku", "abc", "plan", "basic"));
        assertTrue(asAdmin("plans", "audit", "limit", 3L).startsWith("**Latest plan changes:**"));

        // plan names are offered as the admin types
        FakeInteraction typing = discord.autocomplete("plans").subcommand("show").user(discord.owner())
                .member(dev.easel.testing.discord.MemberSpec.admin(discord.guild())).focused("plan", "stan").send();
        InteractionCallback choices = typing.awaitCallback(WAIT);
        assertEquals(InteractionCallback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, choices.type());
        assertEquals(List.of("standard"), choices.data().path("choices").findValuesAsText("value"));
    }

    @Test
    void rateLimitedRequestsAreRetriedAndTheResultIsPostedOnce() {
        FakeUser kim = discord.addUser("kim-429");
        // given: Discord answers the next result post and two status edits with 429 (Retry-After: 1)
        discord.rateLimitNext("POST", "/webhooks/{webhook_id}/{webhook_token}", 1);
        discord.rateLimitNext("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", 2);

        // when: kim imagines
        FakeInteraction i = h.imagine(kim, "a storm over the sea --steps 10");

        // then: the grid arrives exactly once, after the 429s were honoured, and the status still ends "done"
        FakeMessage grid = BotHarness.result(i);
        assertEquals(1, i.followUps().size(), "one result, no duplicate");
        FakeMessage status = i.awaitOriginal(m -> m.content().contains("done"), WAIT);
        assertTrue(status.content().startsWith("\u2705 **a storm over the sea**"));
        List<RestRequest> posts = discord.requests().matching("POST", "/webhooks/{webhook_id}/{webhook_token}")
                .stream().filter(r -> r.path().contains(i.token())).toList();
        assertEquals(List.of(429, 200), posts.stream().map(r -> discord.requests().statusOf(r).orElse(-1)).toList());
        long limited = discord.requests().matching("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
                .stream().filter(r -> discord.requests().statusOf(r).orElse(0) == 429).count();
        assertEquals(2, limited);
        assertEquals(Delivery.State.DELIVERED, h.awaitDelivery(BotHarness.jobOf(grid)).state());
    }

    @Test
    void anImageTooLargeForTheUploadLimitIsSentAsJpegThenDownscaledAndThePngIsKept() throws Exception {
        FakeUser lu = discord.addUser("lu-big");
        String prompt = "a detailed city at night --seed 4242";
        FakeMessage normal = grid(lu, prompt);
        byte[] png = normal.attachments().get(0).bytes();
        long jpegAtFloor = dev.easel.sd.image.Jpeg.encode(picture(normal.attachments().get(0)),
                UploadFitter.MIN_JPEG_QUALITY).length;
        try {
            // when: the server's limit is one byte below the PNG
            discord.setAttachmentSizeLimit(png.length - 1);
            FakeInteraction i = h.imagine(lu, prompt);
            assertEquals(png.length - 1, i.payload().path("attachment_size_limit").asLong());
            FakeMessage jpeg = BotHarness.result(i);

            // then: a high-quality JPEG of the same size, with a note; the store keeps the PNG
            FakeAttachment file = jpeg.attachments().get(0);
            assertEquals("grid.jpg", file.filename());
            assertTrue(file.size() <= png.length - 1);
            assertEquals(0xFF, file.bytes()[0] & 0xFF);
            assertEquals(0xD8, file.bytes()[1] & 0xFF);
            assertEquals(128, picture(file).getWidth());
            double mean = meanPixelDiff(picture(normal.attachments().get(0)), picture(file));
            assertTrue(mean < 4, "the same picture, JPEG-compressed: mean difference " + mean);
            assertTrue(jpeg.content().contains("*Sent as JPEG to fit this place's "), jpeg.content());
            Job job = h.job(BotHarness.jobOf(jpeg));
            assertEquals(png.length, h.jobs.images().readPng(job.gridImageId()).length, "full quality kept");

            // when: even the lowest-quality JPEG is too large, the picture is downscaled
            discord.setAttachmentSizeLimit(jpegAtFloor - 1);
            FakeMessage small = BotHarness.result(h.imagine(lu, prompt));
            FakeAttachment smallFile = small.attachments().get(0);
            assertEquals("grid.jpg", smallFile.filename());
            assertTrue(smallFile.size() < jpegAtFloor);
            assertEquals(96, picture(smallFile).getWidth(), "3/4 of 128");
            assertTrue(small.content().contains("a smaller JPEG (96×96)"), small.content());
        } finally {
            discord.setAttachmentSizeLimit(FakeDiscord.DEFAULT_ATTACHMENT_SIZE_LIMIT);
        }
    }

    @Test
    void theCancelButtonAndCancelCommandStopJobsAndNothingIsCharged() {
        FakeUser max = discord.addUser("max-cancel");
        // a slow job: 40 steps of 60 ms
        FakeInteraction i = h.imagine(max, "a very slow painting --steps 40");
        FakeMessage status = i.awaitOriginal(m -> m.customIds().size() == 1, WAIT);
        JobId id = new JobId(status.customIds().get(0).substring("c1:".length()));

        // when: max presses Cancel on his status message
        FakeInteraction press = discord.pressButton(status.id(), "c1:" + id, max);

        // then: the press is acknowledged silently and the status ends "cancelled"
        assertEquals(InteractionCallback.DEFERRED_UPDATE_MESSAGE, press.awaitCallback(WAIT).type());
        FakeMessage cancelled = i.awaitOriginal(m -> m.content().contains("cancelled"), WAIT);
        assertEquals("\uD83D\uDEAB **a very slow painting** — cancelled. Nothing was charged.", cancelled.content());
        assertTrue(cancelled.customIds().isEmpty());
        assertEquals(JobStatus.CANCELLED, h.job(id).status());
        assertTrue(i.followUps().isEmpty(), "no result");

        // and /cancel (no option) stops the latest active job
        FakeInteraction second = h.imagine(max, "another slow painting --steps 40");
        second.awaitOriginal(m -> m.customIds().size() == 1, WAIT);
        String answer = privately(discord.slashCommand("cancel").user(max).send());
        assertTrue(answer.matches("(\u23F9 Stopping|\uD83D\uDEAB Cancelled) `[0-9a-z]{12}` \\(\\*\\*another slow painting\\*\\*\\).*"),
                answer);
        second.awaitOriginal(m -> m.content().contains("cancelled"), WAIT);
        assertEquals("You have no queued or running job to cancel.",
                privately(discord.slashCommand("cancel").user(max).send()));
        assertEquals(0, h.quota().usage(member(max)).used(), "cancelled jobs are refunded");
    }

    @Test
    void infoShowsPlanUsageLaneRenewalAndJobs() {
        FakeUser nia = discord.addUser("nia-info");
        grid(nia, "a small boat");
        String info = privately(discord.slashCommand("info").user(nia).send());
        assertEquals("**Plan:** Free trial (the server's default)\n"
                + "**Images:** 4 of 25 used, 21 left\n"
                + "**Lane:** relax\n"
                + "**Renews:** never (a one-time allowance)\n"
                + "**Private mode:** not available on your plan\n"
                + "**Jobs:** none running or queued", info);
    }

    @Test
    void settingsBecomeDefaultsOfLaterPromptsUnlessThePromptSaysOtherwise() {
        FakeUser ola = discord.addUser("ola-settings");
        String shown = privately(discord.slashCommand("settings").user(ola).option("sampler", "ddim")
                .option("steps", 7L).option("aspect", "3:2").send());
        assertEquals("**Your defaults for /imagine** (a prompt's own parameters always win):\n"
                + "• aspect ratio: 3:2\n• sampler: ddim\n• steps: 7\n• private mode: not available on your plan", shown);

        Job withDefaults = h.job(BotHarness.jobOf(grid(ola, "a kite")));
        Job ownSteps = h.job(BotHarness.jobOf(grid(ola, "a kite --steps 3 --sampler euler")));

        assertEquals(7, withDefaults.params().steps());
        assertEquals("ddim", withDefaults.params().sampler().id());
        assertEquals("a kite", withDefaults.params().prompt());
        assertEquals(3, ownSteps.params().steps());
        assertEquals("euler", ownSteps.params().sampler().id());
        assertTrue(privately(discord.slashCommand("settings").user(ola).option("steps", 0L).option("sampler", "default")
                .send()).contains("• sampler: server default\n• steps: server default"));
    }

    @Test
    void imagineInADirectMessageIsDeliveredThere() {
        FakeUser pia = discord.addUser("pia-dm");
        FakeInteraction i = discord.slashCommand("imagine").inBotDm().user(pia).option("prompt", "a letter").send();
        FakeMessage grid = BotHarness.result(i);
        assertEquals(discord.dmChannelId(pia).orElseThrow(), grid.channelId());
        Job job = h.job(BotHarness.jobOf(grid));
        assertNull(job.owner().guildId());
        assertEquals(4, h.quota().usage(Member.of(dev.easel.application.QuotaServiceGate.DIRECT, Long.toString(pia.id()))).used());
    }

    @Test
    void aPlanCanComeFromADiscordSubscription() {
        long sku = 1_300_000_000_000_000_777L;
        assertTrue(asAdmin("plans", "sku", "sku", Long.toString(sku), "plan", "standard")
                .startsWith("\u2705 sku " + sku + ": plan: none → standard"));
        FakeUser quinn = discord.addUser("quinn-subscriber");
        discord.grantEntitlement(quinn, sku, Duration.ofDays(30));

        String info = privately(discord.slashCommand("info").user(quinn).send());

        assertTrue(info.startsWith("**Plan:** Standard (from your subscription: "), info);
        assertTrue(info.contains("**Lane:** fast"), info);
        assertTrue(info.contains("(unlimited)"), info);
    }

    @Test
    @SuppressWarnings("try") // the outage is scoped by try-with-resources, not referenced
    void aGatewayOutageLosesNoDeliveryAndNoInteraction() {
        FakeUser rae = discord.addUser("rae-outage");
        FakeInteraction i = h.imagine(rae, "a night train --steps 10");
        i.awaitOriginal(m -> !m.isLoading(), WAIT);
        FakeInteraction info;
        try (FakeDiscord.Outage outage = discord.gatewayOutage(4000)) {
            // while the gateway is down, the result still goes out over REST
            FakeMessage grid = BotHarness.result(i);
            assertEquals(Delivery.State.DELIVERED, h.awaitDelivery(BotHarness.jobOf(grid)).state());
            info = discord.slashCommand("info").user(rae).send();
        }
        // and the interaction sent meanwhile is replayed on RESUME and answered
        assertTrue(privately(info).startsWith("**Plan:** Free trial"));
        assertTrue(discord.gatewayLog().stream().anyMatch(l -> l.contains("\"t\":\"RESUMED\"")));
    }
}
