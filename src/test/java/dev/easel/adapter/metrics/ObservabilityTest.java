package dev.easel.adapter.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.adapter.web.LocalHttpServer;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.domain.job.Job;
import dev.easel.testing.JobKit;
import dev.easel.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.easel.adapter.metrics.MetricsRegistryTest.assertValidExposition;
import static org.junit.jupiter.api.Assertions.*;

/** Job metrics through the notifier, queue depth from the database, process memory, /healthz states, the routes. */
class ObservabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** A worker on the kit whose notifier records metrics, then passes on to the kit's recording notifier. */
    private JobWorker worker(String id, ImageGenerator engine, MetricsNotifier notifier) {
        return new JobWorker(JobKit.fastWorker(id), kit.queue, kit.jobs, kit.tx, engine, kit.images, notifier,
                kit.quota, kit.cancels, kit.signal, kit.clock);
    }

    @Test
    void jobsFeedDurationsStepsImagesPerPlanAndFailuresByReason() {
        // given metrics on a worker, and three jobs: two that succeed (one relax plan), one that fails
        EaselMetrics m = new EaselMetrics(new MetricsRegistry());
        MetricsNotifier notifier = new MetricsNotifier(m, kit.notifier);
        ImageGenerator engine = new ImageGenerator() {
            private final FakeImageGenerator fake = new FakeImageGenerator();

            @Override
            public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
                if (requests.get(0).params().prompt().contains("heavy")) {
                    throw new dev.easel.application.GenerationOutOfMemoryException("CUDA out of memory");
                }
                return fake.generate(requests);
            }

            @Override
            public int maxBatchImages(int width, int height) {
                return 4;
            }
        };
        Job a = kit.submitted("alice", "one --size 64x64 --steps 5");
        Job b = kit.submitted("relax-bob", "two --size 64x64 --steps 7");
        Job c = kit.submitted("carol", "heavy --size 64x64 --steps 5");
        JobWorker w = worker("w1", engine, notifier);
        // when the worker runs them
        while (w.runOnce()) {
            assertTrue(kit.notifier.events().size() < 100);
        }
        // then the families count what happened
        assertEquals(4, m.images.value("test-plan"), "alice's grid of 4");
        assertEquals(4, m.images.value("relax-plan"));
        assertEquals(2, m.finished.value("done"));
        assertEquals(1, m.finished.value("failed"));
        assertEquals(1, m.failures.value("out_of_memory"));
        assertEquals(0, m.failures.value("engine"));
        assertEquals(12, m.steps.value(), "5 + 7 steps");
        assertEquals(2, m.jobDuration.count("imagine"));
        assertEquals(2, m.queueWait.count("fast"), "alice and carol waited in the fast lane");
        assertEquals(1, m.queueWait.count("relax"));
        assertTrue(m.stepRate.value() > 0, "a step rate after a finished job");
        // and every call was passed on to the real notifier
        assertTrue(kit.notifier.events().contains("completed " + a.id()));
        assertTrue(kit.notifier.events().contains("completed " + b.id()));
        assertTrue(kit.notifier.events().stream().anyMatch(e -> e.startsWith("failed " + c.id())));
        assertValidExposition(m.registry().scrape());
    }

    @Test
    void queueDepthPerLaneComesFromTheSharedDatabase() {
        MetricsRegistry r = new MetricsRegistry();
        QueueMetrics.register(r, kit.db.dataSource());
        kit.submitted("alice", "a --size 64x64");
        kit.submitted("alice", "b --size 64x64");
        kit.submitted("relax-bob", "c --size 64x64");
        String text = r.scrape();
        assertTrue(text.contains("""
                easel_queue_jobs{lane="fast",status="queued"} 2
                easel_queue_jobs{lane="fast",status="running"} 0
                easel_queue_jobs{lane="relax",status="queued"} 1
                easel_queue_jobs{lane="relax",status="running"} 0
                """), text);
        assertValidExposition(text);
    }

    @Test
    void processMemoryIsReadFromProcStatusAndGpuFromItsReader() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmHWM:\t 2048000 kB\nVmRSS:\t 1024000 kB\nThreads:\t40\n");
        MetricsRegistry r = new MetricsRegistry();
        ProcessMetrics.register(r, status, () -> List.of(
                new ProcessMetrics.GpuMemoryReader.Reading("0", 3_000_000_000L, 80_000_000_000L)));
        String text = r.scrape();
        assertTrue(text.contains("process_resident_memory_bytes 1048576000\n"), text);
        assertTrue(text.contains("easel_process_resident_memory_peak_bytes 2097152000\n"), text);
        assertTrue(text.contains("easel_gpu_memory_bytes{device=\"0\",kind=\"used\"} 3000000000\n"), text);
        assertTrue(text.contains("easel_gpu_memory_bytes{device=\"0\",kind=\"total\"} 80000000000\n"), text);
        assertTrue(text.matches("(?s).*easel_jvm_memory_bytes\\{area=\"heap\",kind=\"used\"} \\d+\n.*"), text);
        assertTrue(text.matches("(?s).*easel_process_native_memory_bytes \\d+\n.*"), text);
        assertValidExposition(text);
        // the real /proc/self/status of this JVM has a resident size larger than its used heap
        MetricsRegistry real = new MetricsRegistry();
        ProcessMetrics.register(real, Path.of("/proc/self/status"), null);
        long rss = ProcessMetrics.status(Path.of("/proc/self/status"), "VmRSS").orElseThrow();
        assertTrue(rss > Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        assertFalse(real.scrape().contains("easel_gpu_memory_bytes"), "no GPU family without a GPU");
    }

    // ---- health ---------------------------------------------------------------------------------------------

    private static JsonNode json(HealthCheck.Report r) throws Exception {
        return JSON.readTree(r.json());
    }

    @Test
    void healthIsOkWhenTheDatabaseAnswersTheWorkerIsAliveAndTheGatewayIsConnected() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        JobWorker w = new JobWorker(JobKit.fastWorker("w1"), kit.queue, kit.jobs, kit.tx, new FakeImageGenerator(),
                kit.images, kit.notifier, kit.quota, kit.cancels, kit.signal, clock);
        AtomicReference<GatewayStatus.State> state = new AtomicReference<>(GatewayStatus.State.CONNECTED);
        HealthCheck health = new HealthCheck(HealthCheck.database(kit.db.dataSource()), () -> List.of(w),
                state::get, clock);
        w.start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!w.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            HealthCheck.Report ok = health.check();
            assertEquals(200, ok.httpStatus(), ok.json());
            JsonNode body = json(ok);
            assertEquals("ok", body.get("status").asText());
            assertEquals("ok", body.at("/checks/database/status").asText());
            assertEquals("ok", body.at("/checks/workers/status").asText());
            assertEquals("w1", body.at("/checks/workers/local/0/id").asText());
            assertTrue(body.at("/checks/workers/local/0/alive").asBoolean());
            assertEquals("CONNECTED", body.at("/checks/discord/gateway").asText());

            // the gateway resuming is degraded but still 200; failed is 503
            state.set(GatewayStatus.State.RECONNECTING);
            assertEquals(200, health.check().httpStatus());
            assertEquals("degraded", json(health.check()).get("status").asText());
            state.set(GatewayStatus.State.FAILED);
            assertEquals(503, health.check().httpStatus());
            assertEquals("down", json(health.check()).at("/checks/discord/status").asText());
            state.set(GatewayStatus.State.CONNECTED);

            // an idle worker stays alive across time: its loop ticks every poll interval
            clock.advance(Duration.ofSeconds(3));
            Thread.sleep(200);
            assertEquals(200, health.check().httpStatus(), "an idle loop keeps ticking: alive");
        } finally {
            w.close();
        }
        // a stopped worker loop is down
        HealthCheck.Report stopped = health.check();
        assertEquals(503, stopped.httpStatus());
        assertEquals("the worker loop has stopped", json(stopped).at("/checks/workers/local/0/problem").asText());
    }

    @Test
    void aStuckEngineMakesTheWorkerDown() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ImageGenerator stuck = new ImageGenerator() {
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
        kit.submitted("alice", "stuck --size 64x64 --steps 3");
        JobWorker w = new JobWorker(JobKit.fastWorker("w1"), kit.queue, kit.jobs, kit.tx, stuck, kit.images,
                kit.notifier, kit.quota, kit.cancels, kit.signal, clock);
        HealthCheck health = new HealthCheck(() -> { }, () -> List.of(w), null, clock);
        w.start();
        try {
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(200, health.check().httpStatus(), "busy, within its lease");
            clock.advance(Duration.ofSeconds(3)); // no step for 3 s > lease 2 s
            HealthCheck.Report r = health.check();
            assertEquals(503, r.httpStatus(), r.json());
            assertTrue(json(r).at("/checks/workers/local/0/busy").asBoolean());
            assertEquals("no progress for 3 s (limit 2 s): the engine may be stuck",
                    json(r).at("/checks/workers/local/0/problem").asText());
            assertEquals("off", json(r).at("/checks/discord/status").asText(), "no bot in this process");
        } finally {
            release.countDown();
            w.close();
        }
    }

    @Test
    void anUnreachableDatabaseIsDownWithItsError() throws Exception {
        HealthCheck health = new HealthCheck(() -> {
            throw new java.sql.SQLException("Connection refused: db:5432");
        }, List::of, null, new MutableClock());
        HealthCheck.Report r = health.check();
        assertEquals(503, r.httpStatus());
        assertEquals("Connection refused: db:5432", json(r).at("/checks/database/error").asText());
        assertEquals("off", json(r).at("/checks/workers/status").asText(), "no local workers: not a failure");
    }

    @Test
    void routesServeJsonAndPrometheusTextAndRefuseOtherMethods() throws Exception {
        MetricsRegistry registry = new MetricsRegistry();
        new EaselMetrics(registry);
        QueueMetrics.register(registry, kit.db.dataSource());
        HealthCheck health = new HealthCheck(HealthCheck.database(kit.db.dataSource()), List::of, null,
                new MutableClock());
        try (LocalHttpServer server = new LocalHttpServer("127.0.0.1", 0)) {
            ObservabilityRoutes.register(server, registry, health);
            server.start();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, h.statusCode());
            assertEquals("application/json; charset=utf-8", h.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("ok", JSON.readTree(h.body()).get("status").asText());
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", m.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(m.body().contains("# TYPE easel_queue_jobs gauge\n"));
            assertValidExposition(m.body());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
            HttpResponse<String> deeper = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/metrics/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, deeper.statusCode());
        }
    }

    @Test
    void failureReasonsMapToABoundedLabelSet() {
        assertEquals("out_of_memory", FailureReasons.classify("the image engine ran out of memory making 4 images"
                + " of 512x512; try a smaller --size"));
        assertEquals("worker_lost", FailureReasons.classify("the worker stopped while making this job 2 times; giving up"));
        assertEquals("storage", FailureReasons.classify("the images could not be stored (disk full)"));
        assertEquals("source_image", FailureReasons.classify("the image this job starts from could not be read (gone)"));
        assertEquals("model_unavailable", FailureReasons.classify("model 'sd21' is not loaded here (this worker serves 'sd15')"));
        assertEquals("engine", FailureReasons.classify("the image engine failed unexpectedly: NPE"));
        assertEquals("other", FailureReasons.classify("a prompt the owner wrote"));
        assertTrue(FailureReasons.LABELS.containsAll(List.of("out_of_memory", "worker_lost", "storage", "source_image",
                "model_unavailable", "engine", "other")));
    }
}
