package dev.easel.application;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;
import dev.easel.testing.JobKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PressButtonTest {
    @TempDir
    Path dir;
    private JobKit kit;
    private JobWorker worker;

    @BeforeEach
    void setUp() {
        kit = new JobKit(DatabaseSettings.h2File(dir.resolve("db")), dir.resolve("images"), 3, 20);
        worker = kit.worker("w1", new FakeImageGenerator());
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    private Job doneGrid(String user, String prompt) {
        Job job = kit.submitted(user, prompt);
        assertTrue(worker.runOnce());
        Job done = kit.reload(job.id());
        assertEquals(JobStatus.DONE, done.status());
        return done;
    }

    private PressButton.Result press(String user, ButtonAction action) {
        return kit.press.press(new PressButton.Request(new Owner(user, "g2", "c2"), ButtonCodec.encode(action)));
    }

    private Job accepted(PressButton.Result r) {
        return assertInstanceOf(PressButton.Accepted.class, r, () -> "expected accepted: " + r).job();
    }

    @Test
    void upscaleDerivesEverythingFromTheParentsCandidate() {
        Job parent = doneGrid("alice", "castle --size 128x96 --steps 8 --seed 500 --chaos 100 --no fog");
        Job up = accepted(press("bob", ButtonAction.upscale(parent.id(), 3)));
        Candidate third = parent.params().candidates().get(2);
        assertEquals(JobKind.UPSCALE, up.kind());
        assertEquals(new Owner("bob", "g2", "c2"), up.owner(), "charged to and delivered for whoever pressed");
        assertEquals(new Origin(parent.id(), 2, parent.outputImageIds().get(2)), up.origin());
        assertEquals(502, up.seed());
        assertEquals(third.guidanceScale(), up.params().guidanceScale());
        assertEquals(1, up.params().candidateCount());
        assertEquals(0.3, up.params().strength());
        assertEquals("castle", up.params().prompt());
        assertEquals("fog", up.params().negativePrompt());

        assertTrue(worker.runOnce());
        Job done = kit.reload(up.id());
        assertEquals(JobStatus.DONE, done.status());
        assertNull(done.gridImageId(), "one image, no grid");
        BufferedImage big = kit.images.load(done.outputImageIds().get(0));
        assertEquals(256, big.getWidth());
        assertEquals(192, big.getHeight());
    }

    @Test
    void variationsUseTheCandidateAsInitImageWithSubtleOrStrongStrength() {
        Job parent = doneGrid("alice", "forest --size 64x64 --steps 8 --seed 7");
        Job subtle = accepted(press("alice", ButtonAction.varySubtle(parent.id(), 1)));
        Job strong = accepted(press("alice", ButtonAction.varyStrong(parent.id(), 4)));
        assertEquals(JobKind.VARIATION, subtle.kind());
        assertEquals(0.35, subtle.params().strength());
        assertEquals(0.75, strong.params().strength());
        assertEquals(parent.outputImageIds().get(0), subtle.origin().sourceImageId());
        assertEquals(parent.outputImageIds().get(3), strong.origin().sourceImageId());
        assertEquals(4, subtle.params().candidateCount());
        assertNotEquals(parent.seed(), subtle.seed(), "variations get a new seed");

        assertTrue(worker.runOnce());
        assertTrue(worker.runOnce());
        assertEquals(JobStatus.DONE, kit.reload(subtle.id()).status());
        // A variation of an upscale works too (its single image).
        Job up = accepted(press("alice", ButtonAction.upscale(parent.id(), 2)));
        assertTrue(worker.runOnce());
        Job fromUpscale = accepted(press("alice", ButtonAction.varyStrong(up.id(), 1)));
        assertEquals(kit.reload(up.id()).outputImageIds().get(0), fromUpscale.origin().sourceImageId());
    }

    @Test
    void rerollRepeatsTheGenerationWithANewSeed() {
        Job parent = doneGrid("alice", "desert --size 64x64 --steps 3 --seed 1");
        Job reroll = accepted(press("alice", ButtonAction.reroll(parent.id())));
        assertEquals(JobKind.REROLL, reroll.kind());
        assertEquals(new Origin(parent.id(), -1, null), reroll.origin());
        assertEquals(parent.params().withSeed(reroll.seed()), reroll.params());
        assertNotEquals(1, reroll.seed());

        Job variation = accepted(press("alice", ButtonAction.varySubtle(parent.id(), 2)));
        assertTrue(worker.runOnce());
        assertTrue(worker.runOnce());
        Job rerolledVariation = accepted(press("alice", ButtonAction.reroll(variation.id())));
        assertEquals(variation.origin().sourceImageId(), rerolledVariation.origin().sourceImageId(),
                "re-rolling a variation varies the same image again");
        assertEquals(0.35, rerolledVariation.params().strength());
    }

    @Test
    void buttonsThatCannotWorkSayWhy() {
        Job running = kit.submitted("alice", "not yet --size 64x64 --steps 2");
        assertEquals(new PressButton.Rejected("job " + running.id() + " is queued; its buttons work once it is done"),
                press("alice", ButtonAction.upscale(running.id(), 1)));
        JobId gone = JobId.newId();
        assertEquals(new PressButton.Rejected("job " + gone + " no longer exists"),
                press("alice", ButtonAction.reroll(gone)));
        assertEquals(new PressButton.Rejected("this button is from an older version of the bot or damaged; "
                + "run /imagine again"), kit.press.press(new PressButton.Request(Owner.user("a"), "v0:up:x:1")));

        assertTrue(worker.runOnce());
        Job up = accepted(press("alice", ButtonAction.upscale(running.id(), 1)));
        assertTrue(worker.runOnce());
        assertEquals(new PressButton.Rejected("job " + up.id() + " has 1 image; there is no image 2"),
                press("alice", ButtonAction.varySubtle(up.id(), 2)));
        // an upscale can be upscaled further: the upscaled image is the source, at twice its size
        up = kit.reload(up.id());
        Job further = accepted(press("alice", ButtonAction.upscale(up.id(), 1)));
        assertEquals(JobKind.UPSCALE, further.kind());
        assertEquals(up.id(), further.origin().parentId());
        assertEquals(up.outputImageIds().get(0), further.origin().sourceImageId());
        assertEquals(up.params().width() * 2, further.params().width());
        assertEquals(up.params().candidates().get(0).seed(), further.params().seed().getAsLong());
        assertEquals(new PressButton.Rejected("job " + up.id() + " is an upscale; re-roll the grid it came from"),
                press("alice", ButtonAction.reroll(up.id())));
    }

    @Test
    void privateJobsButtonsWorkOnlyForTheirOwner() {
        Job secret = doneGrid("private-carol", "diary --size 64x64 --steps 2");
        assertTrue(secret.privateResult());
        assertEquals(new PressButton.Rejected("job " + secret.id() + " is private: only its owner can use its buttons"),
                press("mallory", ButtonAction.upscale(secret.id(), 1)));
        accepted(press("private-carol", ButtonAction.upscale(secret.id(), 1)));
    }

    @Test
    void buttonsKeepWorkingAfterARestart() {
        Job parent = doneGrid("alice", "harbour --size 64x64 --steps 2 --seed 3");
        kit.close();
        kit = new JobKit(DatabaseSettings.h2File(dir.resolve("db")), dir.resolve("images"), 3, 20);
        worker = kit.worker("w1", new FakeImageGenerator());
        Job up = accepted(press("alice", ButtonAction.upscale(parent.id(), 4)));
        assertTrue(worker.runOnce());
        assertEquals(JobStatus.DONE, kit.reload(up.id()).status(), "the parent's image was read back from disk");
    }
}
