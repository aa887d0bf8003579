package dev.easel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.adapter.metrics.GatewayStatus;
import dev.easel.adapter.models.FakeHub;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.application.SubmitImagine;
import dev.easel.config.EaselConfig;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Owner;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/** easel start in this JVM: model resolution, the parts it starts, what it says, and an orderly shutdown. */
class StartCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<EaselConfig> engineConfigs = new CopyOnWriteArrayList<>();

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("EASEL_DATABASE_URL", "jdbc:h2:file:" + dir.resolve("data/easel").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0");
        env.put("EASEL_STORAGE_IMAGES_DIR", dir.resolve("data/images").toString());
        env.put("EASEL_MODEL_MODELS_DIR", dir.resolve("models").toString());
        env.put("EASEL_HTTP_PORT", "0");
        env.put("EASEL_WORKER_POLL_INTERVAL_MS", "50");
        env.put("EASEL_WORKER_SHUTDOWN_TIMEOUT", "5s");
        return env;
    }

    private StartCommand.Io io(Map<String, String> env, boolean interactive, String typed, boolean reachable) {
        return new StartCommand.Io(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, interactive, uri -> reachable);
    }

    private StartCommand.Wiring wiring(StartCommand.BotStarter bot) {
        return new StartCommand.Wiring(config -> {
            engineConfigs.add(config);
            return new FakeImageGenerator();
        }, (config, db) -> JobServices.configQuota(config.jobs()), bot, null);
    }

    private List<String> args(String... extra) {
        List<String> a = new ArrayList<>(List.of("--config", dir.resolve("absent.yaml").toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Job awaitEnd(StartCommand.Running r, Job job) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Job now = r.services().database().transactions().inTransaction(tx ->
                    r.services().jobs().find(job.id(), tx)).orElseThrow();
            if (!now.status().isActive()) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + job.id() + " did not end");
    }

    private static Job submit(StartCommand.Running r, String user, String prompt) {
        SubmitImagine.Result res = r.services().submit().submit(new SubmitImagine.Request(new Owner(user, "g", "c"), prompt));
        return assertInstanceOf(SubmitImagine.Accepted.class, res, res::toString).job();
    }

    @Test
    void withoutAModelDemoModeRunsJobsAndServesHealthAndMetrics() throws Exception {
        // given no model installed, no terminal, and --demo
        StartCommand.Running r = StartCommand.start(args("--demo"), wiring(null), io(env(), false, "", false));
        try {
            // then start says what to do about the model and that it runs the demo meanwhile
            String advice = err.toString(StandardCharsets.UTF_8);
            assertTrue(advice.contains("No Stable Diffusion model in " + dir.resolve("models/stable-diffusion-v1-5")),
                    advice);
            assertTrue(advice.contains("scripts/easel models pull stable-diffusion-v1-5/stable-diffusion-v1-5 --name"
                    + " stable-diffusion-v1-5 --variant fp16"), advice);
            assertTrue(advice.contains("Starting in demo mode meanwhile"), advice);
            assertTrue(r.demo());
            // the engine factory got the resolved configuration: demo, nothing installed
            assertEquals(1, engineConfigs.size());
            assertTrue(engineConfigs.get(0).model().demo());
            String said = out.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("easel: model demo: tiny preset with random weights"), said);
            assertTrue(said.contains("easel: bot off (DISCORD_TOKEN is not set)"), said);
            assertTrue(said.contains("easel: http http://127.0.0.1:" + r.httpPort() + "/ (/healthz, /metrics)"), said);
            assertTrue(said.contains("easel: ready"), said);

            // and a job runs to the end on the local worker
            Job job = submit(r, "alice", "a lighthouse --size 64x64 --steps 4");
            assertEquals(JobStatus.DONE, awaitEnd(r, job).status());

            HttpResponse<String> health = get(r.httpPort(), "/healthz");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode h = new ObjectMapper().readTree(health.body());
            assertEquals("ok", h.at("/checks/workers/status").asText());
            assertEquals(1, h.at("/checks/workers/active_recently").asInt(), "the worker that finished the job");
            assertEquals("off", h.at("/checks/discord/status").asText());
            String metrics = get(r.httpPort(), "/metrics").body();
            assertTrue(metrics.contains("easel_images_generated_total{plan=\"default\"} 4\n"), metrics);
            assertTrue(metrics.contains("easel_jobs_finished_total{status=\"done\"} 1\n"), metrics);
            assertTrue(metrics.contains("easel_queue_jobs{lane=\"fast\",status=\"queued\"} 0\n"), metrics);
            assertTrue(metrics.contains("process_resident_memory_bytes "), metrics);
        } finally {
            assertEquals(List.of(), r.shutdown());
        }
        assertFalse(r.workers().get(0).isAlive());
    }

    @Test
    void withoutAModelOrDemoItStopsAndSaysExactlyWhatToDo() {
        StartCommand.StartException e = assertThrows(StartCommand.StartException.class,
                () -> StartCommand.start(args("--offline"), wiring(null), io(env(), true, "", true)));
        assertEquals(2, e.code());
        String advice = err.toString(StandardCharsets.UTF_8);
        assertTrue(advice.contains("scripts/easel models import <file.safetensors> --name stable-diffusion-v1-5"), advice);
        assertTrue(advice.endsWith("Or try the bot without a model: scripts/easel start --demo\n"), advice);
        assertFalse(advice.contains("[y/N]"), "--offline: no download offered");
        assertEquals(List.of(), engineConfigs, "no engine without a model");
    }

    @Test
    void atATerminalItOffersTheDefaultModelAndUsesItOnceDownloaded() throws Exception {
        try (FakeHub hub = new FakeHub()) {
            hub.add("easel-test/tiny-sd", Golden.path("pipeline"), Map.of(), false);
            Map<String, String> env = env();
            env.put("HF_ENDPOINT", hub.endpoint().toString());
            env.put("EASEL_MODEL_DEFAULT_REPO", "easel-test/tiny-sd");
            env.put("EASEL_MODEL_NAME", "tiny-sd");
            // when the person at the terminal answers yes
            StartCommand.Running r = StartCommand.start(args(), wiring(null), io(env, true, "y\n", true));
            try {
                String said = err.toString(StandardCharsets.UTF_8);
                assertTrue(said.contains("No model installed. Download easel-test/tiny-sd into "
                        + dir.resolve("models/tiny-sd") + " now (about 4 GB)? [y/N] "), said);
                assertTrue(said.contains("easel: installed easel-test/tiny-sd as " + dir.resolve("models/tiny-sd")), said);
                // then the engine is made for the installed model, not the demo
                assertFalse(r.demo());
                assertFalse(engineConfigs.get(0).model().demo());
                assertTrue(Files.isRegularFile(engineConfigs.get(0).model().dir().resolve("model_index.json")));
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("easel: model tiny-sd ("), out.toString());
            } finally {
                r.shutdown();
            }
        }
    }

    @Test
    void aDeclinedOfferFallsBackToTheDemoWhenAllowed() throws Exception {
        StartCommand.Running r = StartCommand.start(args("--demo", "--no-http"), wiring(null),
                io(env(), true, "n\n", true));
        try {
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("[y/N] "));
            assertTrue(r.demo());
            assertEquals(-1, r.httpPort());
            assertFalse(Files.exists(dir.resolve("models/stable-diffusion-v1-5")));
        } finally {
            r.shutdown();
        }
    }

    /** A stand-in for the Discord bot: connected, recording the job events it is given. */
    private static final class FakeBot implements StartCommand.RunningBot {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        volatile State state = State.CONNECTED;

        @Override
        public JobNotifier notifier() {
            return new JobNotifier() {
                @Override
                public void completed(Job job) {
                    events.add("completed " + job.id());
                }
            };
        }

        @Override
        public State state() {
            return state;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void theBotStartsWithATokenGetsJobEventsAndReportsItsGateway() throws Exception {
        FakeBot bot = new FakeBot();
        Map<String, String> env = env();
        env.put("DISCORD_TOKEN", "token-from-env");
        List<String> tokens = new ArrayList<>();
        StartCommand.Running r = StartCommand.start(args("--demo"), wiring((config, services) -> {
            tokens.add(config.bot().token());
            return bot;
        }), io(env, false, "", false));
        try {
            assertEquals(List.of("token-from-env"), tokens);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("easel: bot on (gateway wss://gateway.discord.gg)"));
            Job job = submit(r, "bob", "a harbour --size 64x64 --steps 3");
            awaitEnd(r, job);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (bot.events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of("completed " + job.id()), bot.events, "job events reach the bot through the metrics");
            assertEquals("ok", new ObjectMapper().readTree(get(r.httpPort(), "/healthz").body())
                    .at("/checks/discord/status").asText());
            bot.state = GatewayStatus.State.FAILED;
            assertEquals(503, get(r.httpPort(), "/healthz").statusCode());
        } finally {
            r.shutdown();
        }
        assertTrue(bot.closed);
    }

    @Test
    void aBotOnlyProcessRunsNoEngineAndWithoutAnAdapterSaysSo() throws Exception {
        Map<String, String> env = env();
        env.put("DISCORD_TOKEN", "t");
        StartCommand.Running r = StartCommand.start(args("--no-worker"), wiring(null), io(env, false, "", false));
        try {
            assertEquals(List.of(), engineConfigs, "--no-worker needs no model and no engine");
            String said = out.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("easel: model none here (--no-worker)"), said);
            assertTrue(said.contains("easel: 0 worker(s)"), said);
            assertTrue(said.contains("easel: bot off (this build has no Discord adapter)"), said);
            assertEquals("off", new ObjectMapper().readTree(get(r.httpPort(), "/healthz").body())
                    .at("/checks/workers/status").asText());
        } finally {
            r.shutdown();
        }
    }

    @Test
    void badSettingsAndABusyPortStopStartUpWithTheReason() throws Exception {
        Map<String, String> env = env();
        env.put("EASEL_MODEL_DEVICE", "tpu");
        StartCommand.StartException bad = assertThrows(StartCommand.StartException.class,
                () -> StartCommand.start(args("--demo"), wiring(null), io(env, false, "", false)));
        assertEquals(2, bad.code());
        assertEquals("model.device (from EASEL_MODEL_DEVICE) = 'tpu' is not allowed; expected one of auto, cpu, cuda,"
                + " cuda:N", bad.getMessage());
        assertEquals(2, assertThrows(StartCommand.StartException.class, () -> StartCommand.start(args("--workers",
                "zero"), wiring(null), io(env(), false, "", false))).code());

        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> busy = env();
            busy.put("EASEL_HTTP_PORT", Integer.toString(taken.getLocalPort()));
            StartCommand.StartException e = assertThrows(StartCommand.StartException.class,
                    () -> StartCommand.start(args("--demo"), wiring(null), io(busy, false, "", false)));
            assertEquals(1, e.code());
            assertTrue(e.getMessage().startsWith("the HTTP server cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("set http.port (EASEL_HTTP_PORT) to a free port or http.enabled: false"));
        }
        // the failed starts left the database closed: a new start opens it
        StartCommand.Running r = StartCommand.start(args("--demo"), wiring(null), io(env(), false, "", false));
        r.shutdown();
    }

    @Test
    void startOptionsParse() {
        assertEquals(new StartCommand.Options(Path.of("x.yaml"), true, true, true, false, false, false, 2),
                StartCommand.parse(List.of("--config", "x.yaml", "--demo", "--yes", "--offline", "--no-worker",
                        "--no-bot", "--no-http", "--workers", "2")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StartCommand.parse(List.of("--gpu")))
                .getMessage().startsWith("unknown option --gpu"));
    }
}
