package dev.easel;

import dev.easel.adapter.discord.BotNotifier;
import dev.easel.adapter.discord.DiscordBot;
import dev.easel.adapter.discord.DiscordSettings;
import dev.easel.adapter.discord.JdbcBannedWords;
import dev.easel.adapter.discord.JdbcDeliveryStore;
import dev.easel.adapter.discord.JdbcPreferenceStore;
import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.application.TransactionRunner;
import dev.easel.config.JobsConfig;
import dev.easel.config.PlansConfig;
import dev.easel.domain.quota.InMemoryQuotaStore;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import dev.easel.sd.pipelines.Devices;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code easel bot}: the Discord bot, with image workers in the same process (or none, when separate
 * {@code easel worker} processes share the database). Reads the token from {@code DISCORD_TOKEN}; Discord's REST
 * and gateway URLs can be pointed elsewhere (a stand-in) with {@code EASEL_DISCORD_REST_URL} and
 * {@code EASEL_DISCORD_GATEWAY_URL}. Runs until SIGTERM / Ctrl-C, then finishes the current batch and disconnects;
 * deliveries not made yet stay pending in the database and are made after the next start.
 *
 * <p>Quotas: plans from plans.yaml on the in-memory quota store for now (usage is forgotten on restart).
 */
public final class BotCommand {
    private static final Logger log = LoggerFactory.getLogger(BotCommand.class);

    public static final String USAGE = """
            usage: easel bot [options]
              --config FILE          easel.yaml to read (default: config/easel.yaml; missing = defaults)
              --plans FILE           plans.yaml with the default plans (default: config/plans.yaml)
              --models DIR           folder of the model folders (default: models)
              --device D             auto | cpu | cuda | cuda:N (default: auto)
              --precision P          auto | fp16 | fp32 (default: auto)
              --workers N            image workers in this process (default: bot.workers, 1; 0 = only separate
                                     'easel worker' processes)
              --fake-engine          draw placeholder pictures instead of running Stable Diffusion
              --fake-step-ms N       with --fake-engine: time per denoising step (default 50)
            environment:
              DISCORD_TOKEN                 the bot's token (required; never printed)
              EASEL_DISCORD_REST_URL        Discord REST base URL (default https://discord.com/api/v10/)
              EASEL_DISCORD_GATEWAY_URL     gateway URL (default: asked from Discord)
              EASEL_DISCORD_GATEWAY_COMPRESSION  zlib (default) or none
              EASEL_DATABASE_URL, EASEL_IMAGES_DIR …  as for 'easel worker'""";

    /** Parsed command line. */
    public record Options(Path config, Path plans, Path models, String device, String precision, Integer workers,
                          boolean fakeEngine, long fakeStepMillis) {
    }

    private BotCommand() {
    }

    public static Options parse(List<String> args) {
        Path config = Path.of("config/easel.yaml");
        Path plans = Path.of("config/plans.yaml");
        Path models = Path.of("models");
        String device = "auto";
        String precision = "auto";
        Integer workers = null;
        boolean fake = false;
        long stepMs = 50;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = Path.of(value(args, ++i, a));
                case "--plans" -> plans = Path.of(value(args, ++i, a));
                case "--models" -> models = Path.of(value(args, ++i, a));
                case "--device" -> device = value(args, ++i, a);
                case "--precision" -> precision = value(args, ++i, a);
                case "--workers" -> workers = whole(value(args, ++i, a), a);
                case "--fake-engine" -> fake = true;
                case "--fake-step-ms" -> stepMs = whole(value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new Options(config, plans, models, device, precision, workers, fake, stepMs);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args.get(i);
    }

    private static int whole(String v, String option) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(option + " must be a whole number >= 0; got '" + v + "'");
    }

    /**
     * Runs the bot until the process is stopped.
     *
     * @return the exit code (2 for bad options or configuration)
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream err) {
        Options o;
        DiscordSettings settings;
        JobsConfig config;
        PlanDefaults plans;
        try {
            o = parse(args);
            settings = DiscordSettings.load(o.config(), env);
            if (o.workers() != null) {
                settings = settings.withWorkers(o.workers());
            }
            config = JobsConfig.load(o.config(), env);
            plans = PlansConfig.load(o.plans());
        } catch (IllegalArgumentException | IOException e) {
            err.println("easel bot: " + e.getMessage());
            return 2;
        }
        List<AutoCloseable> engines = new ArrayList<>();
        Function<JobsConfig, ImageGenerator> engineFactory = o.fakeEngine()
                ? c -> new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(o.fakeStepMillis())))
                : c -> djlEngine(c, o, engines);
        Clock clock = Clock.systemUTC();
        // one store for both: the admins' changes are what the service reads
        InMemoryQuotaStore store = new InMemoryQuotaStore();
        QuotaService quota = new QuotaService(store, clock, plans);
        QuotaAdmin admin = new QuotaAdmin(store, clock, plans);
        PlanQuotaGate gate = new PlanQuotaGate(quota, config.worker().upscaleScale());
        BotNotifier notifier = new BotNotifier();
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "easel-bot-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (JobServices jobs = new JobServices(config, db -> gate, notifier, clock)) {
            List<JobWorker> workers = new ArrayList<>();
            for (int i = 0; i < settings.workers(); i++) {
                JobWorker w = jobs.newWorker(engineFactory.apply(config), i, settings.workers());
                workers.add(w);
            }
            try (DiscordBot bot = new DiscordBot(settings, services(jobs, quota, admin, gate::remember), notifier,
                    clock)) {
                bot.start();
                workers.forEach(JobWorker::start);
                log.info("easel bot running with {} worker(s) on {}", workers.size(), config.database().url());
                stopRequested.await();
                log.info("stopping: finishing the current batch, then disconnecting");
                workers.forEach(JobWorker::close);
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("easel bot: " + e.getMessage());
            log.error("easel bot failed", e);
            return 1;
        } finally {
            for (AutoCloseable c : engines) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing the engine failed: {}", e.toString());
                }
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** What the bot needs from the job service, the quota and the database. */
    public static DiscordBot.Services services(JobServices jobs, QuotaService quota, QuotaAdmin admin,
                                               Consumer<Member> memberSeen) {
        TransactionRunner tx = jobs.database().transactions();
        return new DiscordBot.Services(jobs.submit(), jobs.press(), jobs.cancel(), jobs.list(),
                id -> tx.inTransaction(t -> jobs.jobs().find(id, t)), jobs.images(), quota, admin, memberSeen,
                new JdbcBannedWords(tx), new JdbcPreferenceStore(tx), new JdbcDeliveryStore(tx),
                jobs.config().worker().upscaleScale(), jobs.config().generation().maxSteps());
    }

    /** Stable Diffusion from {@code <models>/<generation.model>} on the chosen device. */
    private static ImageGenerator djlEngine(JobsConfig config, Options o, List<AutoCloseable> closeLater) {
        String model = config.generation().model();
        Path dir = o.models().resolve(model);
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new IllegalArgumentException("no model '" + model + "' in " + dir.toAbsolutePath()
                    + " (expected a diffusers folder with model_index.json; see models/README.md, or run with "
                    + "--fake-engine to try the bot without a model)");
        }
        Devices.Choice choice = Devices.choose(o.device(), o.precision());
        try {
            StableDiffusionPipeline pipe = StableDiffusionPipeline.load(dir, choice.device(), choice.dtype(), null);
            closeLater.add(pipe);
            log.info("loaded model {} on {}", model, choice.describe());
            return new DjlImageGenerator(pipe, model, DjlImageGenerator.defaultBatchPixels(choice.device().isGpu()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model " + dir + ": " + e.getMessage(), e);
        }
    }
}
