package dev.easel.application;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.adapter.storage.FileImageStore;
import dev.easel.sd.image.ImageParameters;
import dev.easel.sd.image.Png;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.easel.application.FakeImageGeneratorTest.assertSamePixels;
import static org.junit.jupiter.api.Assertions.*;

class JobWorkerTest {
    @TempDir
    Path dir;
    private JobKit kit;

    @BeforeEach
    void setUp() {
        kit = JobKit.h2(dir.resolve("images"), 3, 20);
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    private static ScriptedGenerator engine(int maxBatchImages, int oomAbove) {
        return new ScriptedGenerator(new FakeImageGenerator(new FakeImageGenerator.Options(Duration.ZERO,
                maxBatchImages, oomAbove)));
    }

    private LedgerQuotaGate.Entry ledger(Job job) {
        return LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId());
    }

    @Test
    void runsAJobStoresImagesAndGridAndCommitsTheCharge() throws Exception {
        Job job = kit.submitted("alice", "a lighthouse --size 128x128 --steps 6 --seed 100 --no fog");
        JobWorker worker = kit.worker("w1", engine(8, 99));
        assertTrue(worker.runOnce());
        assertFalse(worker.runOnce(), "nothing left");

        Job done = kit.reload(job.id());
        assertEquals(JobStatus.DONE, done.status());
        assertEquals(1, done.attempts());
        assertEquals("w1", done.workerId());
        assertEquals(IntStream.range(0, 4).mapToObj(i -> job.id() + "/" + i).toList(), done.outputImageIds());
        assertEquals(job.id() + "/grid", done.gridImageId());
        BufferedImage grid = kit.images.load(done.gridImageId());
        assertEquals(256, grid.getWidth(), "2×2 grid of 128 px candidates");
        BufferedImage third = kit.images.load(done.outputImageIds().get(2));
        assertSamePixels(third, grid.getSubimage(0, 128, 128, 128));

        // the PNG carries the generation parameters as other Stable Diffusion tools write them
        ImageParameters meta = Png.readParameters(kit.images.readPng(done.outputImageIds().get(2))).orElseThrow();
        assertEquals("a lighthouse", meta.prompt());
        assertEquals("fog", meta.negativePrompt());
        assertEquals(102, meta.seed(), "candidate 2 of seed 100");
        assertEquals(6, meta.steps());
        assertEquals("Euler a", meta.sampler());
        assertEquals(128, meta.width());
        assertEquals(128, meta.height());
        assertEquals(job.id().value(), meta.extra().get("Easel job"));

        assertEquals(new LedgerQuotaGate.Entry("alice", 4, "COMMITTED", 1, null), ledger(job));
        List<String> events = kit.notifier.eventsOf(job.id());
        assertEquals("started " + job.id(), events.get(0));
        assertEquals(List.of("progress " + job.id() + " 1/6", "progress " + job.id() + " 2/6 preview",
                "progress " + job.id() + " 3/6", "progress " + job.id() + " 4/6 preview",
                "progress " + job.id() + " 5/6", "progress " + job.id() + " 6/6"), events.subList(1, 7));
        assertEquals("completed " + job.id(), events.get(7));
        assertEquals(1, kit.tx.inTransaction(t -> kit.jobs.recentRuns(10, t)).size(), "run time recorded for ETAs");
    }

    @Test
    void mergedJobsMakeExactlyTheImagesTheyMakeAlone() {
        List<String> prompts = List.of("red fox --size 128x128 --steps 5 --seed 11",
                "blue owl --size 128x128 --steps 5 --seed 22 --chaos 80", "green cat --size 128x128 --steps 5 --seed 33");
        // Merged: one engine call for all three (12 images ≤ 12).
        ScriptedGenerator merging = engine(12, 99);
        List<Job> merged = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            merged.add(kit.submitted("user" + i, prompts.get(i)));
        }
        JobWorker w = kit.worker(JobKit.fastWorker("w1", 12), merging);
        assertTrue(w.runOnce());
        assertEquals(List.of(3), merging.calls());

        // Alone: the same prompts in another database with batching off.
        try (JobKit other = JobKit.h2(dir.resolve("alone"), 3, 20)) {
            ScriptedGenerator single = engine(4, 99);
            List<Job> alone = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                alone.add(other.submitted("user" + i, prompts.get(i)));
            }
            JobWorker w2 = other.worker("w2", single);
            while (w2.runOnce()) {
                // drain
            }
            assertEquals(List.of(1, 1, 1), single.calls());
            for (int j = 0; j < prompts.size(); j++) {
                Job a = kit.reload(merged.get(j).id());
                Job b = other.reload(alone.get(j).id());
                assertEquals(JobStatus.DONE, a.status());
                for (int i = 0; i < 4; i++) {
                    assertSamePixels(kit.images.load(a.outputImageIds().get(i)),
                            other.images.load(b.outputImageIds().get(i)));
                }
            }
        }
    }

    @Test
    void onlyCompatibleJobsAreMergedAndTheLimitHolds() {
        kit.submitted("a", "one --size 128x128 --steps 5");
        kit.submitted("b", "two --size 128x128 --steps 6");  // other step count
        kit.submitted("c", "three --size 128x128 --steps 5");
        kit.submitted("d", "four --size 128x128 --steps 5");
        ScriptedGenerator gen = engine(8, 99);
        JobWorker w = kit.worker("w1", gen);
        while (w.runOnce()) {
            // drain
        }
        assertEquals(List.of(2, 1, 1), gen.calls(), "a+c merged (8 images max), b alone (steps differ), then d");
    }

    @Test
    void outOfMemoryOnAMergedBatchRetriesTheJobsOneByOne() {
        Job a = kit.submitted("a", "one --size 128x128 --steps 4");
        Job b = kit.submitted("b", "two --size 128x128 --steps 4");
        ScriptedGenerator gen = engine(8, 4); // says 8 fit, but more than 4 run out of memory
        assertTrue(kit.worker("w1", gen).runOnce());
        assertEquals(List.of(2, 1, 1), gen.calls());
        assertEquals(JobStatus.DONE, kit.reload(a.id()).status());
        assertEquals(JobStatus.DONE, kit.reload(b.id()).status());
        assertEquals("COMMITTED", ledger(a).state());
    }

    @Test
    void aFailureFailsOnlyItsJobAndTheWorkerGoesOn() {
        Job ok = kit.submitted("a", "calm sea --size 128x128 --steps 4");
        Job boom = kit.submitted("b", "boom --size 128x128 --steps 4");
        Job crash = kit.submitted("c", "crash --size 512x512 --steps 4");
        ScriptedGenerator gen = engine(8, 99);
        JobWorker w = kit.worker("w1", gen);
        while (w.runOnce()) {
            // drain
        }
        assertEquals(List.of(2, 1, 1, 1), gen.calls(), "merged ok+boom failed, each retried alone, then crash");
        assertEquals(JobStatus.DONE, kit.reload(ok.id()).status());
        Job failed = kit.reload(boom.id());
        assertEquals(JobStatus.FAILED, failed.status());
        assertEquals("the engine cannot draw \"boom\"", failed.failureReason());
        assertEquals(new LedgerQuotaGate.Entry("b", 4, "REFUNDED", 1, "the engine cannot draw \"boom\""), ledger(boom));
        Job crashed = kit.reload(crash.id());
        assertEquals("the image engine failed unexpectedly: tensor shape mismatch", crashed.failureReason());
        assertTrue(kit.notifier.events().contains("failed " + boom.id() + ": the engine cannot draw \"boom\""));

        Job after = kit.submitted("a", "still working --size 128x128 --steps 2");
        assertTrue(w.runOnce());
        assertEquals(JobStatus.DONE, kit.reload(after.id()).status());
    }

    @Test
    void outOfMemoryAloneFailsWithAHint() {
        Job big = kit.submitted("a", "huge --size 1024x1024 --steps 2");
        assertTrue(kit.worker("w1", engine(8, 2)).runOnce());
        assertEquals("the image engine ran out of memory making 4 images of 1024x1024; try a smaller --size",
                kit.reload(big.id()).failureReason());
        assertEquals("REFUNDED", ledger(big).state());
    }

    @Test
    void fairnessOneUsersBacklogDoesNotDelayAnothersJob() {
        List<Job> alice = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            alice.add(kit.submitted("alice", "a" + i + " --size 64x64 --steps 1"));
        }
        Job bob = kit.submitted("bob", "b --size 64x64 --steps 1");
        JobWorker w = kit.worker("w1", engine(4, 99)); // no merging
        while (w.runOnce()) {
            // drain
        }
        List<String> started = kit.notifier.kinds("started");
        assertEquals(7, started.size());
        assertEquals("started " + alice.get(0).id(), started.get(0));
        assertEquals("started " + bob.id(), started.get(1), "bob's only job runs second, not seventh");
    }

    @Test
    void runningCapHoldsAcrossWorkersAndLanesOrderFastFirst() throws Exception {
        try (JobKit capped = JobKit.h2(dir.resolve("capped"), 1, 20)) {
            Job relax = capped.submitted("relax-user", "slow lane --size 64x64 --steps 1");
            Job a1 = capped.submitted("a", "a1 --size 64x64 --steps 1");
            Job a2 = capped.submitted("a", "a2 --size 64x64 --steps 1");
            // Simulate a1 running on another worker: a2 must wait (cap 1), so the relax job goes next.
            Job running = capped.tx.inTransaction(t -> capped.jobs.claim(a1.id(), "elsewhere", capped.clock.instant(), t))
                    .orElseThrow();
            JobWorker w = capped.worker("w1", engine(4, 99));
            assertTrue(w.runOnce());
            assertEquals(JobStatus.DONE, capped.reload(relax.id()).status());
            assertEquals(JobStatus.QUEUED, capped.reload(a2.id()).status());
            assertFalse(w.runOnce(), "a is at its cap");
            capped.tx.run(t -> capped.jobs.transition(running, running.fail("stopped", capped.clock.instant()), t));
            assertTrue(w.runOnce());
            assertEquals(JobStatus.DONE, capped.reload(a2.id()).status());
        }
    }

    @Test
    void recoveryRequeuesOrphansOnceThenFailsThemAndRefunds() {
        Job once = kit.submitted("a", "orphan once --size 64x64 --steps 2");
        Job twice = kit.submitted("b", "orphan twice --size 64x64 --steps 2");
        Job stopped = kit.submitted("c", "stop me --size 64x64 --steps 2");
        // A worker "w1" claimed all three and died; "twice" had already been re-run once.
        Job t1 = kit.tx.inTransaction(t -> kit.jobs.claim(twice.id(), "w1", kit.clock.instant(), t)).orElseThrow();
        kit.tx.run(t -> kit.jobs.transition(t1, t1.requeue(), t));
        kit.tx.inTransaction(t -> kit.jobs.claim(twice.id(), "w1", kit.clock.instant(), t)).orElseThrow();
        kit.tx.inTransaction(t -> kit.jobs.claim(once.id(), "w1", kit.clock.instant(), t)).orElseThrow();
        kit.tx.inTransaction(t -> kit.jobs.claim(stopped.id(), "w1", kit.clock.instant(), t)).orElseThrow();
        kit.tx.run(t -> kit.jobs.requestCancel(stopped.id(), t));

        JobWorker restarted = kit.worker("w1", engine(4, 99));
        assertEquals(3, restarted.recover());
        assertEquals(JobStatus.QUEUED, kit.reload(once.id()).status());
        Job failed = kit.reload(twice.id());
        assertEquals(JobStatus.FAILED, failed.status());
        assertEquals("the worker stopped while making this job 2 times; giving up so it cannot stop the queue again",
                failed.failureReason());
        assertEquals("REFUNDED", ledger(twice).state());
        assertEquals(JobStatus.CANCELLED, kit.reload(stopped.id()).status());
        assertEquals("REFUNDED", ledger(stopped).state());

        assertTrue(restarted.runOnce());
        Job done = kit.reload(once.id());
        assertEquals(JobStatus.DONE, done.status());
        assertEquals(2, done.attempts());
        assertEquals(new LedgerQuotaGate.Entry("a", 4, "COMMITTED", 1, null), ledger(once));
    }

    @Test
    void anotherWorkerTakesOverAJobWhoseHeartbeatStopped() {
        Job job = kit.submitted("a", "abandoned --size 64x64 --steps 2");
        kit.tx.inTransaction(t -> kit.jobs.claim(job.id(), "dead", kit.clock.instant(), t)).orElseThrow();
        JobWorker other = kit.worker("w2", engine(4, 99));
        assertEquals(0, other.recover(), "within the lease the job is left alone");
        kit.clock.advance(Duration.ofSeconds(3)); // lease is 2 s in the test settings
        assertEquals(1, other.recover());
        assertTrue(other.runOnce());
        Job done = kit.reload(job.id());
        assertEquals(JobStatus.DONE, done.status());
        assertEquals("w2", done.workerId());
    }

    @Test
    void startedWorkerThreadServesJobsAsTheyArrive() throws Exception {
        JobWorker w = kit.worker("w1", engine(8, 99));
        w.start();
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(kit.submitted("u" + i, "bg " + i + " --size 64x64 --steps 3").id());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !ids.stream().allMatch(id -> kit.reload(id).status() == JobStatus.DONE)) {
            Thread.sleep(20);
        }
        w.close();
        for (JobId id : ids) {
            assertEquals(JobStatus.DONE, kit.reload(id).status());
        }
    }

    @Test
    void fileImageStoreRejectsIdsOutsideItsRoot() {
        assertThrows(IllegalArgumentException.class, () -> kit.images.path("../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> kit.images.save(JobId.newId(), "../x",
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of()));
        assertFalse(kit.images.exists("nothing/here"));
        DatabaseSettings unused = DatabaseSettings.h2File(dir.resolve("x"));
        assertTrue(unused.url().contains("MODE=PostgreSQL"));
    }
}
