package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.JobServices;
import dev.easel.WebCommand;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.config.JobsConfig;
import dev.easel.config.PlansConfig;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole web side over real HTTP: job service on a fresh in-memory H2 database with the plan quota on the same
 * database (config/plans.yaml), the fake engine (or another) in in-process workers, and the console
 * on a LocalHttpServer at a free port. The console user "local" is on the standard plan unless told otherwise.
 */
final class WebFixture implements AutoCloseable {
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger DB = new AtomicInteger();

    final Path dir;
    final Clock clock = Clock.systemUTC();
    final JobServices services;
    final QuotaService quota;
    final QuotaAdmin quotaAdmin;
    final WebJobEvents events;
    final LocalHttpServer server;
    final WebConsole console;
    final WebConfig config;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<JobWorker> workers = new ArrayList<>();

    /** Options; every field has a test default. */
    static final class Options {
        int workers = 1;
        ImageGenerator engine = new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(15)));
        String consolePlan = "standard";
        String extraWeb = "";
        int steps = 6;
        String adminToken = ADMIN_TOKEN;

        Options adminToken(String token) {
            adminToken = token;
            return this;
        }

        Options workers(int n) {
            workers = n;
            return this;
        }

        Options engine(ImageGenerator e) {
            engine = e;
            return this;
        }

        Options consolePlan(String p) {
            consolePlan = p;
            return this;
        }

        /** More lines of the web section (YAML, indented by two spaces). */
        Options web(String yaml) {
            extraWeb += yaml;
            return this;
        }

        Options steps(int n) {
            steps = n;
            return this;
        }
    }

    WebFixture(Path dir) {
        this(dir, new Options());
    }

    WebFixture(Path dir, Options o) {
        this.dir = dir;
        String yaml = """
                database:
                  url: "jdbc:h2:mem:web%d;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                storage:
                  images-dir: "%s"
                generation:
                  model: tiny
                  native-size: 64
                  default-steps: %d
                  max-side: 512
                worker:
                  id: web-test
                  poll-interval-ms: 20
                  heartbeat-ms: 200
                  preview-every-steps: 2
                  cancel-poll-ms: 20
                web:
                  port: 0
                  admin-token: %s
                  api-keys-file: "%s"
                """.formatted(DB.incrementAndGet(), dir.resolve("images"), o.steps,
                o.adminToken == null ? "null" : "\"" + o.adminToken + "\"",
                dir.resolve("api-keys.json"))
                + (o.consolePlan == null ? "" : "  plan: " + o.consolePlan + "\n") + o.extraWeb;
        JsonNode tree;
        PlanDefaults plans;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            plans = PlansConfig.load(Path.of("config/plans.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JobsConfig jobs = JobsConfig.fromTree(tree, Map.of());
        config = WebConfig.fromTree(tree, Map.of());
        events = new WebJobEvents(clock);
        services = JobServices.withPlans(jobs, plans, events, clock);
        quota = services.quotaService().orElseThrow();
        quotaAdmin = services.quotaAdmin().orElseThrow();
        try {
            server = new LocalHttpServer("127.0.0.1", 0);
        } catch (IOException e) {
            services.close();
            throw new UncheckedIOException(e);
        }
        console = WebCommand.attach(config, services, events, server, clock);
        for (int i = 0; i < o.workers; i++) {
            JobWorker w = services.newWorker(o.engine, i, o.workers);
            workers.add(w);
            w.start();
        }
        server.start();
    }

    String url(String path) {
        return server.baseUrl() + path;
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<byte[]> getBytes(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> postJson(String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** Polls a job's JSON until the predicate holds (or fails after the timeout with the last answer). */
    JsonNode await(String path, Predicate<JsonNode> done, Duration timeout, String... headers) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(path, headers);
            last = r.statusCode() == 200 ? json(r) : null;
            if (last != null && done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("timed out waiting on " + path + "; last answer: " + last);
        return last;
    }

    static Predicate<JsonNode> status(String status) {
        return j -> status.equals(j.path("status").asText());
    }

    /** Creates an API key on the admin API; returns its secret. */
    String newKey(String name, Optional<String> plan) {
        HttpResponse<String> r = postJson("/admin/api/keys", plan.map(p -> "{\"name\":\"" + name + "\",\"plan\":\"" + p
                + "\"}").orElse("{\"name\":\"" + name + "\"}"), "X-Admin-Token", ADMIN_TOKEN);
        if (r.statusCode() != 201) {
            throw new AssertionError("key not created: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("key").asText();
    }

    @Override
    public void close() {
        server.close();
        services.close();
    }
}
