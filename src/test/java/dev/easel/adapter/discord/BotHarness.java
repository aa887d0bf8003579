package dev.easel.adapter.discord;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.BotCommand;
import dev.easel.JobServices;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.config.JobsConfig;
import dev.easel.config.PlansConfig;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeInteraction;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The whole bot wired as {@code easel bot} wires it (job service with the plan-based quota from config/plans.yaml,
 * both on one in-memory H2 database; in-process workers), connected to a {@link FakeDiscord}. A restart keeps the
 * database and the images, like a process restart with persistent storage.
 */
final class BotHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    final FakeDiscord discord;
    final Path dir;
    final String databaseUrl;
    final PlanDefaults plans;
    private final Supplier<ImageGenerator> engines;
    private final Clock botClock;
    private final int workerCount;
    private final Map<String, String> generation;
    JobServices jobs;
    DiscordBot bot;
    private final List<JobWorker> workers = new ArrayList<>();

    /**
     * @param generation generation section overrides (model, native-size …)
     * @param botClock   the bot's clock (the stand-in's {@code FakeClock} in token-expiry tests)
     * @param workers    in-process workers (0: none, jobs stay queued)
     */
    BotHarness(FakeDiscord discord, Path dir, Supplier<ImageGenerator> engines, Clock botClock, int workers,
               Map<String, String> generation) {
        this.discord = discord;
        this.dir = dir;
        this.engines = engines;
        this.botClock = botClock;
        this.workerCount = workers;
        this.generation = generation;
        this.databaseUrl = "jdbc:h2:mem:bot" + DATABASES.incrementAndGet()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        try {
            plans = PlansConfig.load(Path.of("config/plans.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plan-based quota of the running job service (its tables live in the same database). */
    QuotaService quota() {
        return jobs.quotaService().orElseThrow();
    }

    QuotaAdmin admin() {
        return jobs.quotaAdmin().orElseThrow();
    }

    /** The usual harness: fake engine at {@code stepMs} per step, one worker, the system clock. */
    static BotHarness start(FakeDiscord discord, Path dir, long stepMs) {
        BotHarness h = new BotHarness(discord, dir, () -> new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(stepMs))), Clock.systemUTC(), 1, Map.of());
        h.startBot(1);
        return h;
    }

    JobsConfig config() {
        Map<String, String> gen = new java.util.LinkedHashMap<>();
        gen.put("model", "fake");
        gen.put("native-size", "64");
        gen.put("default-steps", "6");
        gen.put("max-side", "512");
        gen.put("candidates", "4");
        gen.putAll(generation);
        String genYaml = gen.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
        String yaml = "database: {url: \"" + databaseUrl + "\", pool-size: 8}\n"
                + "storage: {images-dir: \"" + dir.resolve("images").toString().replace("\\", "/") + "\"}\n"
                + "generation: " + genYaml + "\n"
                + "queue: {default-ms-per-step: 20}\n"
                + "worker: {id: bot-test, poll-interval-ms: 20, heartbeat-ms: 200, lease-timeout-ms: 20000, "
                + "preview-every-steps: 2, cancel-poll-ms: 20, recovery-interval-ms: 1000}\n";
        try {
            return JobsConfig.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DiscordSettings settings() {
        return DiscordSettings.of(discord.token())
                .withEndpoints(discord.restBaseUrl(), discord.gatewayUrl(), false)
                .withIntervals(Duration.ofMillis(300), Duration.ofMillis(200));
    }

    /** Starts the job service, {@code n} workers and the bot (a fresh process, as far as the bot can tell). */
    void startBot(int n) {
        BotNotifier notifier = new BotNotifier();
        jobs = JobServices.withPlans(config(), plans, notifier, Clock.systemUTC());
        DiscordBot.Services services = BotCommand.services(jobs);
        bot = new DiscordBot(settings(), services, notifier, botClock);
        try {
            bot.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < n; i++) {
            JobWorker w = jobs.newWorker(engines.get(), i, n);
            w.start();
            workers.add(w);
        }
    }

    /** Stops the bot, its workers and its job service (the database, images and quotas stay). */
    void stopBot() {
        bot.close();
        workers.forEach(JobWorker::close);
        workers.clear();
        jobs.close();
    }

    void restart() {
        stopBot();
        startBot(workerCount);
    }

    Job job(JobId id) {
        return jobs.database().transactions().inTransaction(t -> jobs.jobs().find(id, t)).orElseThrow();
    }

    Optional<Delivery> delivery(JobId id) {
        return new JdbcDeliveryStore(jobs.database().transactions()).find(id);
    }

    /** Waits until the job's delivery is no longer pending and returns it. */
    Delivery awaitDelivery(JobId id) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<Delivery> d = delivery(id);
            if (d.isPresent() && d.get().state() != Delivery.State.PENDING) {
                return d.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("delivery of " + id + " still " + d);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    FakeInteraction imagine(FakeUser user, String prompt) {
        return discord.slashCommand("imagine").user(user).option("prompt", prompt).send();
    }

    /** The result message of an interaction: its follow-up with a picture and buttons. */
    static FakeMessage result(FakeInteraction i) {
        return result(i, WAIT);
    }

    static FakeMessage result(FakeInteraction i, Duration timeout) {
        return i.awaitFollowUp(m -> !m.attachments().isEmpty() && !m.buttonRows().isEmpty(), timeout);
    }

    /** The job id of a result's buttons (they all carry it). */
    static JobId jobOf(FakeMessage result) {
        return new JobId(result.customIds().get(0).split(":")[2]);
    }

    @Override
    public void close() {
        try {
            stopBot();
        } finally {
            discord.close();
        }
    }
}
