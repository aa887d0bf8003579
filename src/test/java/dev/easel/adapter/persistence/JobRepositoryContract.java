package dev.easel.adapter.persistence;

import dev.easel.application.BatchKey;
import dev.easel.application.QueueSnapshot;
import dev.easel.application.RunSample;
import dev.easel.application.TransactionRunner;
import dev.easel.application.UserLoad;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.Sampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** One suite for every database the job repository runs on; subclasses say which. */
abstract class JobRepositoryContract {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static JdbcDatabase db;
    private JdbcJobRepository repo;
    private TransactionRunner tx;

    /** Opens (and migrates) the database under test; called once per class. */
    protected abstract DatabaseSettings settings();

    @BeforeEach
    void clean() throws Exception {
        if (db == null) {
            db = JdbcDatabase.open(settings());
        }
        repo = db.jobRepository();
        tx = db.transactions();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM job_images");
            s.execute("DELETE FROM jobs");
        }
    }

    @AfterAll
    static void closeDb() {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    private static GenerationParams params(String prompt) {
        return new GenerationParams(prompt, "blurry, text", 640, 448, 28, 6.25, Sampler.DPMPP_2M_KARRAS,
                OptionalLong.of(4294967295L), 35, OptionalInt.of(250), true, 0.5, "sd15", 0.0, 4);
    }

    private static Job job(String user, Instant at, int maxRunning) {
        return Job.queued(JobId.newId(), new Owner(user, "guild", "chan"), JobKind.IMAGINE, null, params("p " + user),
                Lane.FAST, "basic", false, "res-" + user, maxRunning, at);
    }

    private void insert(Job... jobs) {
        tx.run(t -> {
            for (Job j : jobs) {
                repo.insert(j, t);
            }
        });
    }

    private Job find(JobId id) {
        return tx.inTransaction(t -> repo.find(id, t)).orElseThrow();
    }

    private boolean transition(Job before, Job after) {
        return tx.<Boolean>inTransaction(t -> repo.transition(before, after, t));
    }

    private boolean requestCancel(JobId id) {
        return tx.<Boolean>inTransaction(t -> repo.requestCancel(id, t));
    }

    private int activeWorkers(Instant since) {
        return tx.<Integer>inTransaction(t -> repo.activeWorkers(since, t));
    }

    private Optional<Job> claim(JobId id, String worker, Instant now) {
        return tx.inTransaction(t -> repo.claim(id, worker, now, t));
    }

    @Test
    void insertAndFindRoundTripEveryField() {
        Job imagine = job("u1", T0, 3);
        Job variation = Job.queued(JobId.newId(), new Owner("u2", null, null), JobKind.VARIATION,
                new Origin(imagine.id(), 2, imagine.id() + "/2"),
                params("ünïcödé prompt ✓").withStrength(0.35), Lane.RELAX, "free", true, null, 1, T0.plusMillis(1));
        insert(imagine, variation);
        assertEquals(imagine, find(imagine.id()));
        assertEquals(variation, find(variation.id()));
        assertTrue(tx.inTransaction(t -> repo.find(JobId.newId(), t)).isEmpty());
    }

    @Test
    void ownerListingIsNewestFirstAndLoadCountsActiveJobs() {
        Job a = job("u1", T0, 5);
        Job b = job("u1", T0.plusSeconds(1), 5);
        Job c = job("u1", T0.plusSeconds(2), 5);
        Job other = job("u2", T0.plusSeconds(3), 5);
        insert(a, b, c, other);
        claim(a.id(), "w", T0.plusSeconds(5)).orElseThrow();
        List<Job> mine = tx.inTransaction(t -> repo.findByOwner("u1", 2, t));
        assertEquals(List.of(c.id(), b.id()), mine.stream().map(Job::id).toList());
        assertEquals(new UserLoad(2, 1), tx.inTransaction(t -> repo.load("u1", t)));
        assertEquals(UserLoad.NONE, tx.inTransaction(t -> repo.load("nobody", t)));
    }

    @Test
    void claimStartsAWaitingJobExactlyOnce() {
        Job j = job("u1", T0, 2);
        insert(j);
        Job started = claim(j.id(), "w1", T0.plusSeconds(1)).orElseThrow();
        assertEquals(JobStatus.RUNNING, started.status());
        assertEquals(1, started.attempts());
        assertEquals("w1", started.workerId());
        assertEquals(started, find(j.id()));
        assertTrue(claim(j.id(), "w2", T0.plusSeconds(2)).isEmpty(), "a running job cannot be claimed again");
    }

    @Test
    void claimRespectsTheOwnersRunningCap() {
        Job a = job("u1", T0, 1);
        Job b = job("u1", T0.plusMillis(1), 1);
        insert(a, b);
        Job running = claim(a.id(), "w1", T0).orElseThrow();
        assertTrue(claim(b.id(), "w2", T0).isEmpty(), "u1 may run one job at a time");
        Job done = running.complete(List.of("x/0", "x/1", "x/2", "x/3"), null, T0.plusSeconds(1));
        assertTrue(transition(running, done));
        assertTrue(claim(b.id(), "w2", T0.plusSeconds(2)).isPresent(), "after the first ends the second may run");
    }

    @Test
    void concurrentWorkersClaimEachJobOnce() throws Exception {
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            all.add(job("u" + (i % 6), T0.plusMillis(i), 100));
        }
        insert(all.toArray(Job[]::new));
        Set<JobId> claimed = ConcurrentHashMap.newKeySet();
        List<JobId> duplicates = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            String worker = "w" + w;
            List<Job> order = new ArrayList<>(all);
            Collections.rotate(order, w * 7);
            futures.add(pool.submit(() -> {
                go.await();
                for (Job j : order) {
                    claim(j.id(), worker, T0.plusSeconds(1)).ifPresent(c -> {
                        if (!claimed.add(c.id())) {
                            duplicates.add(c.id());
                        }
                    });
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(List.of(), duplicates);
        assertEquals(60, claimed.size());
        assertEquals(new UserLoad(0, 10), tx.inTransaction(t -> repo.load("u0", t)));
    }

    @Test
    void concurrentClaimsNeverExceedTheRunningCap() throws Exception {
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(job("solo", T0.plusMillis(i), 2));
        }
        insert(all.toArray(Job[]::new));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            String worker = "w" + w;
            futures.add(pool.submit(() -> {
                go.await();
                int n = 0;
                for (Job j : all) {
                    n += claim(j.id(), worker, T0).isPresent() ? 1 : 0;
                }
                return n;
            }));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
            total += f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(2, total, "the cap of 2 holds across racing workers");
        assertEquals(new UserLoad(10, 2), tx.inTransaction(t -> repo.load("solo", t)));
    }

    @Test
    void transitionIsACompareAndSetOnStatusWorkerAndAttempts() {
        Job j = job("u1", T0, 2);
        insert(j);
        Job running = claim(j.id(), "w1", T0).orElseThrow();
        Job requeued = running.requeue();
        assertTrue(transition(running, requeued));
        Job again = claim(j.id(), "w2", T0.plusSeconds(1)).orElseThrow();
        assertEquals(2, again.attempts());
        Job staleDone = running.complete(List.of("a/0", "a/1", "a/2", "a/3"), "a/grid", T0.plusSeconds(2));
        assertFalse(transition(running, staleDone),
                "the first worker lost the job: its result must not land");
        Job done = again.complete(List.of(j.id() + "/0", j.id() + "/1", j.id() + "/2", j.id() + "/3"),
                j.id() + "/grid", T0.plusSeconds(3));
        assertTrue(transition(again, done));
        tx.run(t -> repo.recordRunTime(j.id(), 1234, t));
        Job stored = find(j.id());
        assertEquals(done, stored);
        assertEquals(List.of(new RunSample(1234, 28, 4, 640L * 448)), tx.inTransaction(t -> repo.recentRuns(5, t)));
    }

    @Test
    void failureReasonsAreKeptAndTruncated() {
        Job j = job("u1", T0, 2);
        insert(j);
        Job failed = j.fail("x".repeat(3000), T0.plusSeconds(1));
        assertTrue(transition(j, failed));
        Job stored = find(j.id());
        assertEquals(JobStatus.FAILED, stored.status());
        assertEquals(2000, stored.failureReason().length());
        assertTrue(stored.failureReason().endsWith("…"));
    }

    @Test
    void snapshotPutsEveryUsersFirstJobBeforeAnyonesSecond() {
        // u1 queued 5 jobs first; u2 one later; relax jobs come after all fast ones.
        List<Job> u1 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            u1.add(job("u1", T0.plusMillis(i), 3));
        }
        Job u2 = job("u2", T0.plusSeconds(1), 3);
        Job relax = Job.queued(JobId.newId(), Owner.user("r"), JobKind.IMAGINE, null, params("r"), Lane.RELAX,
                "free", false, null, 1, T0.minusSeconds(60));
        Job upscale = Job.queued(JobId.newId(), Owner.user("u3"), JobKind.UPSCALE, new Origin(u2.id(), 0, "x/0"),
                params("up").withCandidateCount(1).withStrength(0.3), Lane.FAST, "basic", false, null, 1,
                T0.plusSeconds(2));
        insert(u1.toArray(Job[]::new));
        insert(u2, relax, upscale);
        claim(u1.get(0).id(), "w1", T0.plusSeconds(5)).orElseThrow();

        QueueSnapshot s = tx.inTransaction(t -> repo.snapshot(3, t));
        assertEquals(List.of(u1.get(1).id(), u2.id(), upscale.id()),
                s.queued().stream().map(QueueSnapshot.Queued::id).toList(), "window of 3: rank 1 of each fast user");
        QueueSnapshot.Queued first = s.queued().get(0);
        assertEquals(new BatchKey("sd15", 640, 448, 28, Sampler.DPMPP_2M_KARRAS, true), first.batchKey());
        assertNull(s.queued().get(2).batchKey(), "upscales are never merged");
        assertEquals(640L * 448, first.pixels());
        assertEquals(1, s.running().size());
        assertEquals("w1", s.running().get(0).workerId());
        assertEquals(T0.plusSeconds(5), s.lastServed().get("u1"));
        assertFalse(s.lastServed().containsKey("u2"));

        QueueSnapshot all = tx.inTransaction(t -> repo.snapshot(100, t));
        assertEquals(relax.id(), all.queued().get(all.queued().size() - 1).id(), "relax after every fast job");
        assertEquals(Lane.RELAX, all.queued().get(all.queued().size() - 1).lane());
    }

    @Test
    void stopFlagsHeartbeatsAndOrphans() {
        Job a = job("u1", T0, 5);
        Job b = job("u1", T0.plusMillis(1), 5);
        Job c = job("u2", T0.plusMillis(2), 5);
        insert(a, b, c);
        assertFalse(requestCancel(a.id()), "only running jobs get the stop flag");
        claim(a.id(), "w1", T0).orElseThrow();
        claim(b.id(), "w2", T0).orElseThrow();
        claim(c.id(), "w2", T0).orElseThrow();
        assertTrue(requestCancel(a.id()));
        assertEquals(Set.of(a.id()), tx.inTransaction(t -> repo.cancelRequested(List.of(a.id(), b.id()), t)));
        assertTrue(find(a.id()).cancelRequested());

        tx.run(t -> repo.heartbeat(List.of(b.id()), "w2", T0.plusSeconds(100), t));
        tx.run(t -> repo.heartbeat(List.of(a.id()), "w2", T0.plusSeconds(100), t)); // not w2's job: no effect
        List<Job> orphans = tx.inTransaction(t -> repo.findOrphans("w9", T0.plusSeconds(50), t));
        assertEquals(Set.of(a.id(), c.id()), new HashSet<>(orphans.stream().map(Job::id).toList()),
                "a and c were not heartbeated since T0");
        List<Job> own = tx.inTransaction(t -> repo.findOrphans("w2", T0.minusSeconds(1), t));
        assertEquals(Set.of(b.id(), c.id()), new HashSet<>(own.stream().map(Job::id).toList()),
                "a restarted worker finds its own running jobs whatever their heartbeat");
        assertEquals(2, activeWorkers(T0.minusSeconds(1)));
        assertEquals(1, activeWorkers(T0.plus(Duration.ofSeconds(60))));
    }

    private Job done(String user, String guild, boolean privateResult, Instant at) {
        Job queued = Job.queued(JobId.newId(), new Owner(user, guild, "chan"), JobKind.IMAGINE, null, params("p " + user),
                Lane.FAST, "basic", privateResult, "res", 3, at);
        insert(queued);
        Job running = claim(queued.id(), "w", at).orElseThrow();
        String id = queued.id().value();
        Job finished = running.complete(List.of(id + "/0", id + "/1", id + "/2", id + "/3"), id + "/grid",
                at.plusSeconds(1));
        assertTrue(transition(running, finished));
        return finished;
    }

    @Test
    void finishedJobsAreListedNewestFirstWithoutPrivateOnesWhenAsked() {
        Job old = done("u1", "g1", false, T0);
        Job secret = done("u2", "g1", true, T0.plusSeconds(10));
        Job recent = done("u3", "g2", false, T0.plusSeconds(20));
        Job failing = job("u4", T0.plusSeconds(30), 1);
        insert(failing);
        Job running = claim(failing.id(), "w", T0.plusSeconds(30)).orElseThrow();
        assertTrue(transition(running, running.fail("engine broke", T0.plusSeconds(31))));

        List<Job> publicDone = tx.inTransaction(t -> repo.findFinished(JobStatus.DONE, true, null, 10, t));
        assertEquals(List.of(recent.id(), old.id()), publicDone.stream().map(Job::id).toList());
        assertEquals(recent, publicDone.get(0), "listed jobs carry their images");
        List<Job> allDone = tx.inTransaction(t -> repo.findFinished(JobStatus.DONE, false, null, 10, t));
        assertEquals(List.of(recent.id(), secret.id(), old.id()), allDone.stream().map(Job::id).toList());
        List<Job> g1 = tx.inTransaction(t -> repo.findFinished(JobStatus.DONE, true, "g1", 10, t));
        assertEquals(List.of(old.id()), g1.stream().map(Job::id).toList());
        assertEquals(1, tx.inTransaction(t -> repo.findFinished(JobStatus.DONE, false, null, 1, t)).size());
        List<Job> failed = tx.inTransaction(t -> repo.findFinished(JobStatus.FAILED, false, null, 10, t));
        assertEquals("engine broke", failed.get(0).failureReason());
        assertThrows(IllegalArgumentException.class,
                () -> tx.inTransaction(t -> repo.findFinished(JobStatus.QUEUED, false, null, 10, t)));
    }

    @Test
    void ownersOfAGuildAreListedMostRecentFirst() {
        insert(Job.queued(JobId.newId(), new Owner("early", "g1", "c"), JobKind.IMAGINE, null, params("a"), Lane.FAST,
                        "basic", false, "r1", 1, T0),
                Job.queued(JobId.newId(), new Owner("late", "g1", "c"), JobKind.IMAGINE, null, params("b"), Lane.FAST,
                        "basic", false, "r2", 1, T0.plusSeconds(5)),
                Job.queued(JobId.newId(), new Owner("early", "g1", "c"), JobKind.IMAGINE, null, params("c"), Lane.FAST,
                        "basic", false, "r3", 1, T0.plusSeconds(9)),
                Job.queued(JobId.newId(), new Owner("elsewhere", "g2", "c"), JobKind.IMAGINE, null, params("d"),
                        Lane.FAST, "basic", false, "r4", 1, T0.plusSeconds(20)));
        assertEquals(List.of("early", "late"), tx.inTransaction(t -> repo.owners("g1", 10, t)));
        assertEquals(List.of("early"), tx.inTransaction(t -> repo.owners("g1", 1, t)));
        assertEquals(List.of(), tx.inTransaction(t -> repo.owners("nowhere", 10, t)));
    }

    @Test
    void anImagineFromAnUploadRoundTripsItsInitImage() {
        Job upload = Job.queued(JobId.newId(), new Owner("u1", "g", "web"), JobKind.IMAGINE,
                Origin.upload("k3j4m5n6p7q8/upload"), params("from a photo").withStrength(0.6), Lane.FAST, "basic",
                false, "r", 1, T0);
        insert(upload);
        Job stored = find(upload.id());
        assertEquals(upload, stored);
        assertTrue(stored.origin().isUpload());
        assertEquals(dev.easel.domain.job.GenerationMode.IMAGE_TO_IMAGE, stored.mode());
    }
}
