package dev.easel.process;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.ChildProcess;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import dev.easel.testing.WorkerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of a real worker process mid-job on the embedded (H2 file) database, then restarts: waiting jobs run,
 * the interrupted job runs again once (then fails if it is interrupted again), and every reservation is committed
 * for delivered work or refunded — exactly once.
 */
class CrashRecoveryProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;

    private DatabaseSettings db() {
        return DatabaseSettings.h2File(dir.resolve("easel"));
    }

    private ChildProcess worker(Path config) throws Exception {
        return ChildProcess.start(WorkerChild.class, dir.resolve("worker.log"), "--config", config.toString(),
                "--id", "w1", "--fake-engine", "--fake-step-ms", "50", "--exit-when-idle", "1");
    }

    private JobKit kit() {
        return new JobKit(db(), dir.resolve("images"), 1, 100);
    }

    @Test
    void aKilledWorkersJobRunsAgainAndNothingIsLost() throws Exception {
        Job a;
        Job b;
        try (JobKit kit = kit()) {
            a = kit.submitted("alice", "first --size 64x64 --steps 10");
            b = kit.submitted("bob", "second --size 64x64 --steps 10");
        }
        Path config = WorkerConfigFile.write(dir, db(), dir.resolve("images"));

        try (ChildProcess first = worker(config)) {
            assertTrue(first.awaitLine("STEP " + a.id() + " 3/10", WAIT), "the first worker got going");
            first.kill();
        }
        try (JobKit kit = kit()) {
            Job interrupted = kit.reload(a.id());
            assertEquals(JobStatus.RUNNING, interrupted.status(), "killed mid-job: still marked running");
            assertEquals(JobStatus.QUEUED, kit.reload(b.id()).status());
        }
        try (ChildProcess second = worker(config)) {
            assertEquals(0, second.await(WAIT), "the restarted worker drains the queue and exits");
        }
        try (JobKit kit = kit()) {
            Job doneA = kit.reload(a.id());
            Job doneB = kit.reload(b.id());
            assertEquals(JobStatus.DONE, doneA.status());
            assertEquals(2, doneA.attempts(), "re-run once after the crash");
            assertEquals(JobStatus.DONE, doneB.status());
            assertEquals(1, doneB.attempts());
            assertTrue(kit.images.exists(doneA.gridImageId()));
            Map<String, LedgerQuotaGate.Entry> ledger = LedgerQuotaGate.read(kit.db.dataSource());
            assertEquals(new LedgerQuotaGate.Entry("alice", 4, "COMMITTED", 1, null), ledger.get(a.reservationId()));
            assertEquals(new LedgerQuotaGate.Entry("bob", 4, "COMMITTED", 1, null), ledger.get(b.reservationId()));
        }
    }

    @Test
    void aJobThatKillsItsWorkerTwiceFailsAndIsRefunded() throws Exception {
        Job x;
        Job y;
        try (JobKit kit = kit()) {
            x = kit.submitted("xavier", "poison --size 64x64 --steps 10");
            y = kit.submitted("xavier", "after it --size 64x64 --steps 10");
        }
        Path config = WorkerConfigFile.write(dir, db(), dir.resolve("images"));
        for (int attempt = 1; attempt <= 2; attempt++) {
            try (ChildProcess w = worker(config)) {
                assertTrue(w.awaitLine("STEP " + x.id() + " 3/10", WAIT), "attempt " + attempt + " started");
                w.kill();
            }
        }
        try (ChildProcess last = worker(config)) {
            assertEquals(0, last.await(WAIT));
            assertFalse(last.output().contains("START " + x.id()), "not run a third time");
        }
        try (JobKit kit = kit()) {
            Job failed = kit.reload(x.id());
            assertEquals(JobStatus.FAILED, failed.status());
            assertEquals(2, failed.attempts());
            assertEquals("the worker stopped while making this job 2 times; giving up so it cannot stop the queue "
                    + "again", failed.failureReason());
            assertEquals(JobStatus.DONE, kit.reload(y.id()).status());
            Map<String, LedgerQuotaGate.Entry> ledger = LedgerQuotaGate.read(kit.db.dataSource());
            assertEquals("REFUNDED", ledger.get(x.reservationId()).state());
            assertEquals(1, ledger.get(x.reservationId()).ends());
            assertEquals(new LedgerQuotaGate.Entry("xavier", 4, "COMMITTED", 1, null), ledger.get(y.reservationId()));
        }
    }
}
