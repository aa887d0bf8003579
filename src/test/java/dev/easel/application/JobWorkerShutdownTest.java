package dev.easel.application;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Graceful shutdown of a worker (finish, or stop and re-queue, within the timeout) and private prompts in logs. */
class JobWorkerShutdownTest {
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

    private static FakeImageGenerator slow(long stepMillis) {
        return new FakeImageGenerator(FakeImageGenerator.Options.fast().withStepDelay(Duration.ofMillis(stepMillis)));
    }

    private LedgerQuotaGate.Entry ledger(Job job) {
        return LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId());
    }

    /** Waits until the notifier saw step {@code n} of the job. */
    private void awaitStep(Job job, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (kit.notifier.eventsOf(job.id()).stream().anyMatch(e -> e.startsWith("progress " + job.id() + " " + n + "/"))) {
                return;
            }
            Thread.sleep(5);
        }
        fail("job " + job.id() + " never reached step " + n);
    }

    @Test
    void aJobThatFitsInTheTimeoutFinishesAndNothingNewIsTaken() throws Exception {
        // given a started worker running a short job, and a second job waiting
        Job running = kit.submitted("alice", "short --size 64x64 --steps 10");
        Job waiting = kit.submitted("bob", "later --size 64x64 --steps 10");
        JobWorker w = kit.worker(JobKit.fastWorker("w1", 4), slow(20));
        w.start();
        awaitStep(running, 2);
        // when it is told to shut down with plenty of time
        List<JobId> requeued = w.shutdown(Duration.ofSeconds(10));
        // then the running job is done, the waiting one untouched, and the worker has stopped
        assertEquals(List.of(), requeued);
        assertEquals(JobStatus.DONE, kit.reload(running.id()).status());
        assertEquals("COMMITTED", ledger(running).state());
        assertEquals(JobStatus.QUEUED, kit.reload(waiting.id()).status());
        assertFalse(w.isAlive());
    }

    @Test
    void aJobLongerThanTheTimeoutIsStoppedAndPutBackWithItsReservation() throws Exception {
        // given a job of 150 steps × 25 ms ≈ 4 s
        Job job = kit.submitted("alice", "long --size 64x64 --steps 150");
        JobWorker w = kit.worker(JobKit.fastWorker("w1", 4), slow(25));
        w.start();
        awaitStep(job, 2);
        // when shut down with 800 ms
        long t0 = System.nanoTime();
        List<JobId> requeued = w.shutdown(Duration.ofMillis(800));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        // then it returned in time, the job is queued again (not cancelled, not charged, not refunded)
        assertTrue(tookMs < 1500, "shutdown took " + tookMs + " ms");
        assertEquals(List.of(job.id()), requeued);
        Job after = kit.reload(job.id());
        assertEquals(JobStatus.QUEUED, after.status());
        assertEquals(1, after.attempts());
        assertNull(after.workerId());
        assertEquals("RESERVED", ledger(job).state());
        assertFalse(kit.notifier.events().contains("cancelled " + job.id()), "the owner did not cancel it");
        // and another worker finishes it later, charged once
        JobWorker next = kit.worker("w2", new FakeImageGenerator());
        assertTrue(next.runOnce());
        assertEquals(JobStatus.DONE, kit.reload(job.id()).status());
        assertEquals(new LedgerQuotaGate.Entry("alice", 4, "COMMITTED", 1, null), ledger(job));
    }

    @Test
    void anEngineThatIgnoresTheStopStillLeavesTheJobQueuedAtTheDeadline() throws Exception {
        // given an engine that never looks at its listener and blocks until released
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        ImageGenerator stubborn = new ImageGenerator() {
            @Override
            public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new FakeImageGenerator().generate(requests);
            }

            @Override
            public int maxBatchImages(int width, int height) {
                return 4;
            }
        };
        Job job = kit.submitted("alice", "stuck --size 64x64 --steps 5");
        JobWorker w = kit.worker(JobKit.fastWorker("w1", 4), stubborn);
        w.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        // when the deadline passes with the engine still busy
        List<JobId> requeued = w.shutdown(Duration.ofMillis(400));
        // then the job was put back from the shutdown thread
        assertEquals(List.of(job.id()), requeued);
        assertEquals(JobStatus.QUEUED, kit.reload(job.id()).status());
        // and the worker's late result is refused: the job stays queued, nothing is charged
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(w.isAlive());
        assertEquals(JobStatus.QUEUED, kit.reload(job.id()).status());
        assertEquals("RESERVED", ledger(job).state());
    }

    @Test
    void livenessTracksTheLoopAndTheSteps() throws Exception {
        Job job = kit.submitted("alice", "alive --size 64x64 --steps 40");
        JobWorker w = kit.worker(JobKit.fastWorker("w1", 4), slow(20));
        assertFalse(w.isAlive(), "not started");
        w.start();
        awaitStep(job, 3);
        assertTrue(w.isAlive());
        assertTrue(w.isBusy());
        java.time.Instant first = w.lastActivity();
        awaitStep(job, 6);
        assertTrue(w.lastActivity().isAfter(first), "each step counts as activity");
        w.close();
        assertFalse(w.isAlive());
        assertFalse(w.isBusy());
    }

    // ---- private prompts ----------------------------------------------------------------------------------------

    /** An engine whose failures quote the prompt, as real ones may (tokenizer errors, shape errors with text). */
    private static final class QuotingEngine implements ImageGenerator {
        @Override
        public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
            String prompt = requests.get(0).params().prompt();
            if (prompt.contains("refuse")) {
                throw new GenerationFailedException("the engine cannot draw \"" + prompt + "\"");
            }
            throw new IllegalStateException("tokenizer choked on '" + prompt + "'",
                    new IllegalArgumentException("input was: " + prompt));
        }

        @Override
        public int maxBatchImages(int width, int height) {
            return 4;
        }
    }

    private static String text(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(e.getFormattedMessage());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        return sb.toString();
    }

    @Test
    void privatePromptsNeverReachTheWorkersLogLines() {
        Logger logger = (Logger) LoggerFactory.getLogger(JobWorker.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            // given two private jobs whose failures quote their prompt, and one public job
            Job refused = kit.submitted("private-carol", "my secret refuse garden --no hidden words");
            Job crashed = kit.submitted("private-dave", "confidential crash portrait");
            Job open = kit.submitted("erin", "public refuse harbour");
            JobWorker w = kit.worker("w1", new QuotingEngine());
            // when the worker fails all three
            while (w.runOnce()) {
                assertTrue(appender.list.size() < 100);
            }
            // then the private prompts appear in no log line, not even in the stack trace's messages
            List<String> lines = appender.list.stream().map(JobWorkerShutdownTest::text).toList();
            String all = String.join("\n", lines);
            assertFalse(all.contains("my secret refuse garden"), all);
            assertFalse(all.contains("confidential crash portrait"), all);
            assertTrue(all.contains("the engine cannot draw \"" + PrivatePrompts.MASK + "\""), all);
            assertTrue(all.contains("java.lang.IllegalStateException: tokenizer choked on '" + PrivatePrompts.MASK
                    + "'"), all);
            assertTrue(all.contains("java.lang.IllegalArgumentException: input was: " + PrivatePrompts.MASK), all);
            // and the public job's log keeps its prompt (redaction is for private plans only)
            assertTrue(all.contains("public refuse harbour"), all);
            // the owner still sees the real reason
            assertEquals("the engine cannot draw \"my secret refuse garden\"", kit.reload(refused.id()).failureReason());
            assertEquals(JobStatus.FAILED, kit.reload(crashed.id()).status());
            assertEquals(JobStatus.FAILED, kit.reload(open.id()).status());
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void registeredPromptsAreMaskedOnlyWhileTheirJobRuns() {
        Job job = kit.submitted("private-fay", "a hidden lake --no people");
        assertEquals("saw a hidden lake", PrivatePrompts.redactActive("saw a hidden lake"));
        PrivatePrompts.register(job);
        try {
            assertEquals("saw " + PrivatePrompts.MASK + " without " + PrivatePrompts.MASK,
                    PrivatePrompts.redactActive("saw a hidden lake without people"));
        } finally {
            PrivatePrompts.unregister(job.id());
        }
        assertEquals("saw a hidden lake", PrivatePrompts.redactActive("saw a hidden lake"));
        Job open = kit.submitted("gus", "an open sea");
        PrivatePrompts.register(open);
        assertEquals("an open sea", PrivatePrompts.redactActive("an open sea"), "public jobs are not registered");
        PrivatePrompts.unregister(open.id());
    }
}
