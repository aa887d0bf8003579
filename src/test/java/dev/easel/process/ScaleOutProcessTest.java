package dev.easel.process;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.ChildProcess;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import dev.easel.testing.PostgresDatabase;
import dev.easel.testing.WorkerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Two worker processes on one PostgreSQL queue: every job runs exactly once, and the queue stays fair. */
class ScaleOutProcessTest {
    @RegisterExtension
    static final PostgresDatabase PG = new PostgresDatabase();
    @TempDir
    Path dir;

    @Test
    void twoWorkerProcessesShareOneQueue() throws Exception {
        List<Job> heavy = new ArrayList<>();
        List<Job> light = new ArrayList<>();
        try (JobKit kit = new JobKit(PG.settings(), dir.resolve("images"), 2, 100)) {
            for (int i = 0; i < 12; i++) {
                heavy.add(kit.submitted("heavy", "batch " + i + " --size 64x64 --steps 8"));
            }
            for (int u = 0; u < 4; u++) {
                light.add(kit.submitted("light" + u, "single --size 64x64 --steps 8"));
            }
        }
        Path config = WorkerConfigFile.write(dir, PG.settings(), dir.resolve("images"));
        List<String> output = new ArrayList<>();
        try (ChildProcess p1 = ChildProcess.start(WorkerChild.class, dir.resolve("p1.log"), "--config",
                config.toString(), "--id", "p1", "--fake-engine", "--fake-step-ms", "25", "--exit-when-idle", "1.5");
             ChildProcess p2 = ChildProcess.start(WorkerChild.class, dir.resolve("p2.log"), "--config",
                     config.toString(), "--id", "p2", "--fake-engine", "--fake-step-ms", "25", "--exit-when-idle", "1.5")) {
            assertEquals(0, p1.await(Duration.ofSeconds(60)));
            assertEquals(0, p2.await(Duration.ofSeconds(60)));
            output.addAll(p1.output());
            output.addAll(p2.output());
        }

        List<String> starts = output.stream().filter(l -> l.startsWith("START ")).map(l -> l.substring(6)).toList();
        assertEquals(16, starts.size(), "16 jobs started in all");
        assertEquals(16, new HashSet<>(starts).size(), "no job started twice");

        try (JobKit kit = new JobKit(PG.settings(), dir.resolve("images"), 2, 100)) {
            List<Job> all = new ArrayList<>(heavy);
            all.addAll(light);
            List<Job> done = all.stream().map(j -> kit.reload(j.id())).toList();
            Set<String> workers = new HashSet<>();
            for (Job j : done) {
                assertEquals(JobStatus.DONE, j.status(), j.id().value());
                assertEquals(1, j.attempts(), "ran exactly once: " + j.id());
                workers.add(j.workerId());
            }
            assertEquals(Set.of("p1", "p2"), workers, "both processes took jobs");
            Map<String, LedgerQuotaGate.Entry> ledger = LedgerQuotaGate.read(kit.db.dataSource());
            for (Job j : all) {
                assertEquals("COMMITTED", ledger.get(j.reservationId()).state());
                assertEquals(1, ledger.get(j.reservationId()).ends(), "charged once: " + j.id());
            }
            // Fairness: the four single jobs start among the first six, although the twelve were queued first.
            List<JobId> startOrder = done.stream().sorted(Comparator.comparing(Job::startedAt)).map(Job::id).toList();
            Map<JobId, Integer> rank = new HashMap<>();
            for (int i = 0; i < startOrder.size(); i++) {
                rank.put(startOrder.get(i), i + 1);
            }
            for (Job j : light) {
                assertTrue(rank.get(j.id()) <= 6, "light job started " + rank.get(j.id()) + "th of 16");
            }
        }
    }
}
