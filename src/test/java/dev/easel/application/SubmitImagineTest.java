package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.PromptParser;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SubmitImagineTest {
    @TempDir
    Path dir;
    private JobKit kit;

    @BeforeEach
    void setUp() {
        kit = JobKit.h2(dir, 1, 3);
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    private SubmitImagine.Result submit(String user, String prompt) {
        return kit.submit.submit(new SubmitImagine.Request(new Owner(user, "g", "c"), prompt));
    }

    @Test
    void validPromptIsQueuedWithItsPositionAndEta() {
        SubmitImagine.Accepted first = assertInstanceOf(SubmitImagine.Accepted.class,
                submit("alice", "a fox --ar 16:9 --seed 9"));
        Job job = first.job();
        assertEquals(JobStatus.QUEUED, job.status());
        assertEquals(JobKind.IMAGINE, job.kind());
        assertEquals(new Owner("alice", "g", "c"), job.owner());
        assertEquals(704, job.params().width());
        assertEquals(9, job.seed());
        assertEquals("test-plan", job.planName());
        assertEquals(Lane.FAST, job.lane());
        assertEquals(1, job.maxRunning());
        assertEquals(job, kit.reload(job.id()), "what the caller sees is what is stored");
        // Nothing measured yet: 250 ms per 512² image step × 30 steps × 4 images × (704·384/512²) = 30,938 ms.
        assertEquals(new QueueStanding(1, Duration.ZERO, Duration.ofMillis(30938)), first.standing().orElseThrow());

        SubmitImagine.Accepted second = assertInstanceOf(SubmitImagine.Accepted.class, submit("bob", "an owl"));
        assertEquals(2, second.standing().orElseThrow().position());
        assertEquals(Duration.ofMillis(30938), second.standing().orElseThrow().untilStart(), "behind alice's job");
        assertEquals(Duration.ofMillis(30938 + 30000), second.standing().orElseThrow().untilDone());

        Map<String, LedgerQuotaGate.Entry> ledger = LedgerQuotaGate.read(kit.db.dataSource());
        assertEquals(new LedgerQuotaGate.Entry("alice", 4, "RESERVED", 0, null), ledger.get(job.reservationId()));
    }

    @Test
    void withoutSeedARandomOneIsChosenAndStored() {
        Job a = kit.submitted("alice", "a fox");
        Job b = kit.submitted("bob", "a fox");
        assertTrue(a.seed() >= 0 && a.seed() <= 4294967295L);
        assertNotEquals(a.seed(), b.seed());
        assertEquals(a.seed(), kit.reload(a.id()).seed());
    }

    @Test
    void invalidPromptIsExplainedAndNothingIsStoredOrReserved() {
        SubmitImagine.Invalid invalid = assertInstanceOf(SubmitImagine.Invalid.class, submit("alice", "x --chaos 500"));
        assertEquals("--chaos 500 is not allowed: use a whole number from 0 to 100", invalid.message());
        assertEquals(List.of(), kit.list.list("alice", 10));
        assertEquals(Map.of(), LedgerQuotaGate.read(kit.db.dataSource()));
    }

    @Test
    void quotaDenialIsPassedOnAndNothingIsQueued() {
        for (int i = 0; i < 3; i++) {
            kit.submitted("alice", "fox " + i);
        }
        SubmitImagine.Denied denied = assertInstanceOf(SubmitImagine.Denied.class, submit("alice", "one more"));
        assertEquals("queue full: 3 of 3", denied.reason());
        assertEquals(3, kit.list.list("alice", 10).size());
        assertInstanceOf(SubmitImagine.Accepted.class, submit("bob", "others are not affected"));
    }

    @Test
    void reservationAndJobCommitOrRollBackTogether() {
        JobRepository failingInsert = (JobRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {JobRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("insert")) {
                        throw new RepositoryException("disk full", null);
                    }
                    return method.invoke(kit.jobs, args);
                });
        JobIntake intake = new JobIntake(failingInsert, kit.quota, kit.tx, kit.queue, kit.signal, kit.clock);
        SubmitImagine submit = new SubmitImagine(new PromptParser(PromptParser.Settings.sd15("sd15")), intake,
                new SplittableRandom(3));
        assertThrows(RepositoryException.class, () -> submit.submit(new SubmitImagine.Request(Owner.user("u"), "x")));
        assertEquals(Map.of(), LedgerQuotaGate.read(kit.db.dataSource()), "the reservation was rolled back with the job");
    }

    @Test
    void listJobsShowsNewestFirstWithStandings() {
        Job older = kit.submitted("alice", "first");
        Job newer = kit.submitted("alice", "second");
        kit.submitted("bob", "bob's");
        List<ListJobs.Entry> entries = kit.list.list("alice", 10);
        assertEquals(List.of(newer.id(), older.id()), entries.stream().map(e -> e.job().id()).toList());
        assertEquals(1, entries.get(1).standing().orElseThrow().position());
        assertEquals(3, entries.get(0).standing().orElseThrow().position(),
                "alice's second job waits for bob's first (round robin)");
    }

    @Test
    void anInitImageMakesAnImageToImageGridAtTheRequestedStrength() {
        // given an uploaded picture in the image store
        String upload = kit.images.save(dev.easel.domain.job.JobId.newId(), "upload",
                new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB), Map.of());
        // when /imagine names it
        SubmitImagine.Accepted a = assertInstanceOf(SubmitImagine.Accepted.class, kit.submit.submit(
                new SubmitImagine.Request(new Owner("alice", "g", "c"), "the same, in autumn --seed 5", Membership.NONE, upload, 0.45)));
        // then the grid starts from it: no parent, the upload as source, the strength in the parameters
        Job job = a.job();
        assertEquals(JobKind.IMAGINE, job.kind());
        assertEquals(dev.easel.domain.job.Origin.upload(upload), job.origin());
        assertEquals(0.45, job.params().strength());
        assertEquals(dev.easel.domain.job.GenerationMode.IMAGE_TO_IMAGE, job.mode());
        assertEquals(job, kit.reload(job.id()));
        // and a strength outside (0, 1], or one without an image, is refused before anything is stored
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new SubmitImagine.Request(new Owner("alice", "g", "c"), "x", Membership.NONE, upload, 0));
        assertTrue(e.getMessage().startsWith("strength must be in (0, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SubmitImagine.Request(new Owner("a", "g", "c"), "x", Membership.NONE, null,
                0.5));
    }
}
