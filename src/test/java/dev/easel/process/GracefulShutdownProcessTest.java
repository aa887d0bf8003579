package dev.easel.process;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobStatus;
import dev.easel.testing.ChildProcess;
import dev.easel.testing.JobKit;
import dev.easel.testing.LedgerQuotaGate;
import dev.easel.testing.StartChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SIGTERM to a real {@code easel start} process (Process.destroy) while it runs a job: the process exits within
 * worker.shutdown-timeout and the job ends DONE (it fitted in the time) or back in the queue with its reservation
 * (it did not) — never lost, never charged twice.
 */
class GracefulShutdownProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;

    private DatabaseSettings db() {
        return DatabaseSettings.h2File(dir.resolve("easel"));
    }

    private Path config(String shutdownTimeout) throws Exception {
        Path file = dir.resolve("easel.yaml");
        Files.writeString(file, """
                model: {models-dir: "%s"}
                http: {port: 0}
                database: {url: "%s", user: sa, password: "", pool-size: 4}
                storage: {images-dir: "%s"}
                worker:
                  poll-interval-ms: 50
                  heartbeat-ms: 200
                  lease-timeout-ms: 5000
                  preview-every-steps: 0
                  shutdown-timeout: %s
                """.formatted(dir.resolve("models"), db().url(), dir.resolve("images"), shutdownTimeout));
        return file;
    }

    private Job submit(String prompt) {
        try (JobKit kit = new JobKit(db(), dir.resolve("images"), 1, 100)) {
            return kit.submitted("alice", prompt);
        }
    }

    /** Waits until the child's /metrics shows at least {@code steps} denoising steps. */
    private static void awaitSteps(int port, int steps) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Pattern p = Pattern.compile("(?m)^easel_denoising_steps_total (\\d+)$");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = p.matcher(body);
            if (m.find() && Integer.parseInt(m.group(1)) >= steps) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the job never reached step " + steps);
    }

    private ChildProcess start(Path config, int stepMs) throws Exception {
        return ChildProcess.start(StartChild.class, dir.resolve("start.log"), "--step-ms", Integer.toString(stepMs),
                "--config", config.toString(), "--demo", "--no-bot", "--offline");
    }

    private static int port(ChildProcess child) throws Exception {
        String line = child.awaitLineStartingWith("easel: http http://127.0.0.1:", WAIT);
        assertNotNull(line, "the child announced its HTTP server");
        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)/").matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aJobLongerThanTheTimeoutGoesBackToTheQueueAndTheProcessExitsInTime() throws Exception {
        // given a job of 40 steps × 150 ms = 6 s and a shutdown timeout of 2 s
        Job job = submit("long --size 64x64 --steps 40");
        Path config = config("2s");
        try (ChildProcess child = start(config, 150)) {
            awaitSteps(port(child), 3);
            // when the process gets SIGTERM mid-job
            long t0 = System.nanoTime();
            child.terminate();
            int code = child.await(WAIT);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            // then it exits within the timeout (plus JVM exit), as a SIGTERM'd JVM does
            assertEquals(143, code);
            assertTrue(tookMs < 4_000, "exited after " + tookMs + " ms");
        }
        try (JobKit kit = new JobKit(db(), dir.resolve("images"), 1, 100)) {
            Job after = kit.reload(job.id());
            assertEquals(JobStatus.QUEUED, after.status(), "back in the queue, not lost");
            assertEquals(1, after.attempts());
            assertEquals(new LedgerQuotaGate.Entry("alice", 4, "RESERVED", 0, null),
                    LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId()), "neither charged nor refunded");
        }
        assertTrue(Files.readString(dir.resolve("start.log")).contains("back in the queue"));
        // and the next start finishes it, charged once
        try (ChildProcess again = start(config, 0)) {
            int p = port(again);
            long deadline = System.nanoTime() + WAIT.toNanos();
            // the job is done when the child's metrics count one finished job
            HttpClient http = HttpClient.newHttpClient();
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                done = metrics.contains("easel_jobs_finished_total{status=\"done\"} 1\n");
                Thread.sleep(20);
            }
            assertTrue(done);
            again.terminate();
            assertEquals(143, again.await(WAIT));
        }
        try (JobKit kit = new JobKit(db(), dir.resolve("images"), 1, 100)) {
            assertEquals(JobStatus.DONE, kit.reload(job.id()).status());
            assertEquals(new LedgerQuotaGate.Entry("alice", 4, "COMMITTED", 1, null),
                    LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId()));
        }
    }

    @Test
    void aJobThatFitsInTheTimeoutFinishesBeforeTheProcessExits() throws Exception {
        // given a job of 12 steps × 100 ms and a shutdown timeout of 20 s
        Job job = submit("short --size 64x64 --steps 12");
        try (ChildProcess child = start(config("20s"), 100)) {
            awaitSteps(port(child), 3);
            long t0 = System.nanoTime();
            child.terminate();
            assertEquals(143, child.await(WAIT));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(tookMs < 6_000, "exited after " + tookMs + " ms: it waited for the job, not the whole timeout");
        }
        try (JobKit kit = new JobKit(db(), dir.resolve("images"), 1, 100)) {
            Job after = kit.reload(job.id());
            assertEquals(JobStatus.DONE, after.status(), () -> "finished during the shutdown; " + after.failureReason());
            assertTrue(kit.images.exists(after.gridImageId()));
            assertEquals(new LedgerQuotaGate.Entry("alice", 4, "COMMITTED", 1, null),
                    LedgerQuotaGate.read(kit.db.dataSource()).get(job.reservationId()));
        }
    }
}
