package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class CancelJobTest {
    @TempDir
    Path dir;
    private JobKit kit;

    @BeforeEach
    void setUp() {
        kit = JobKit.h2(dir, 3, 20);
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    private LedgerQuotaGate.Entry ledger(Job job) {
        return LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId());
    }

    private void awaitStatus(JobId id, JobStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (kit.reload(id).status() != status && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(status, kit.reload(id).status());
    }

    @Test
    void ownerCancelsAWaitingJobAndIsRefunded() {
        Job job = kit.submitted("alice", "x --size 64x64");
        CancelJob.Cancelled c = assertInstanceOf(CancelJob.Cancelled.class,
                kit.cancel.cancel(new CancelJob.Request(job.id(), "alice", false)));
        assertEquals(JobStatus.CANCELLED, c.job().status());
        assertEquals(JobStatus.CANCELLED, kit.reload(job.id()).status());
        assertEquals(new LedgerQuotaGate.Entry("alice", 4, "REFUNDED", 1, "cancelled before it started"), ledger(job));
        assertEquals(java.util.List.of("cancelled " + job.id()), kit.notifier.eventsOf(job.id()));
        assertInstanceOf(CancelJob.AlreadyFinished.class,
                kit.cancel.cancel(new CancelJob.Request(job.id(), "alice", false)));
    }

    @Test
    void onlyTheOwnerOrAnAdminMayCancel() {
        Job job = kit.submitted("alice", "x --size 64x64");
        assertEquals(new CancelJob.NotAllowed("job " + job.id() + " belongs to someone else; only its owner or an "
                + "admin can cancel it"), kit.cancel.cancel(new CancelJob.Request(job.id(), "mallory", false)));
        assertInstanceOf(CancelJob.Cancelled.class, kit.cancel.cancel(new CancelJob.Request(job.id(), "mod", true)));
        JobId unknown = JobId.newId();
        assertEquals(new CancelJob.NotFound(unknown), kit.cancel.cancel(new CancelJob.Request(unknown, "alice", true)));
    }

    @Test
    void aRunningJobStopsAtItsNextStep() throws Exception {
        Job job = kit.submitted("alice", "long one --size 64x64 --steps 150");
        JobWorker w = kit.worker("w1", new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(10))));
        w.start();
        awaitStatus(job.id(), JobStatus.RUNNING);
        CancelJob.Stopping stopping = assertInstanceOf(CancelJob.Stopping.class,
                kit.cancel.cancel(new CancelJob.Request(job.id(), "alice", false)));
        assertTrue(stopping.job().cancelRequested());
        awaitStatus(job.id(), JobStatus.CANCELLED);
        w.close();
        long steps = kit.notifier.eventsOf(job.id()).stream().filter(e -> e.startsWith("progress")).count();
        assertTrue(steps < 150, "stopped early, after " + steps + " steps");
        assertTrue(kit.notifier.eventsOf(job.id()).contains("cancelled " + job.id()));
        assertEquals("REFUNDED", ledger(job).state());
        assertTrue(ledger(job).reason().startsWith("cancelled at step "));
    }

    @Test
    void aStopFlagSetByAnotherProcessIsSeenThroughTheDatabase() throws Exception {
        Job job = kit.submitted("alice", "long one --size 64x64 --steps 150");
        JobWorker w = kit.worker("w1", new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(10))));
        w.start();
        awaitStatus(job.id(), JobStatus.RUNNING);
        assertTrue(kit.tx.<Boolean>inTransaction(t -> kit.jobs.requestCancel(job.id(), t)), "flag only, no signal");
        awaitStatus(job.id(), JobStatus.CANCELLED);
        w.close();
        assertEquals("REFUNDED", ledger(job).state());
    }
}
