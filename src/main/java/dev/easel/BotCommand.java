package dev.easel;

import dev.easel.adapter.discord.BotNotifier;
import dev.easel.adapter.discord.DiscordBot;
import dev.easel.adapter.discord.DiscordSettings;
import dev.easel.adapter.discord.JdbcBannedWords;
import dev.easel.adapter.discord.JdbcDeliveryStore;
import dev.easel.adapter.discord.JdbcPreferenceStore;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.application.TransactionRunner;
import dev.easel.config.JobsConfig;
import dev.easel.domain.quota.PlanDefaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code easel bot}: the Discord bot, with image workers in the same process (or none, when separate
 * {@code easel worker} processes share the database), on the plan-based quota ({@link JobServices#withPlans}).
 * Reads the token from {@code DISCORD_TOKEN}; Discord's REST and gateway URLs can be pointed elsewhere (a stand-in)
 * with {@code EASEL_BOT_REST_URL} and {@code EASEL_BOT_GATEWAY_URL}. Runs until SIGTERM / Ctrl-C, then
 * finishes the current batch and disconnects; deliveries not made yet stay pending in the database and are made
 * after the next start.
 */
public final class BotCommand {
    private static final Logger log = LoggerFactory.getLogger(BotCommand.class);

    public static final String USAGE = """
            usage: easel bot [options]
              --config FILE          easel.yaml to read (default: config/easel.yaml; missing = defaults)
              --plans FILE           plans.yaml with the default plans (default: config/plans.yaml)
              --workers N            image workers in this process (default: bot.workers, 1; 0 = only separate
                                     'easel worker' processes on the same database)
              --fake-engine          draw placeholder pictures instead of running Stable Diffusion
              --fake-step-ms N       with --fake-engine: time per denoising step (default 50)
            environment:
              DISCORD_TOKEN                      the bot's token (required; never printed)
              EASEL_BOT_REST_URL             Discord REST base URL (default https://discord.com/api/v10/)
              EASEL_BOT_GATEWAY_URL          gateway URL (default: asked from Discord)
              EASEL_BOT_GATEWAY_COMPRESSION  zlib (default) or none
              EASEL_DATABASE_URL, EASEL_IMAGES_DIR, EASEL_DEVICE …  as for 'easel worker'""";

    /** Parsed command line. */
    public record Options(Path config, Path plans, Integer workers, boolean fakeEngine, long fakeStepMillis,
                          boolean help) {
    }

    private BotCommand() {
    }

    public static Options parse(List<String> args) {
        Path config = Path.of("config/easel.yaml");
        Path plans = Path.of("config/plans.yaml");
        Integer workers = null;
        boolean fake = false;
        long stepMs = 50;
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--plans" -> plans = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--workers" -> workers = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, Integer.MAX_VALUE);
                case "--fake-engine" -> fake = true;
                case "--fake-step-ms" -> stepMs = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, Integer.MAX_VALUE);
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new Options(config, plans, workers, fake, stepMs, help);
    }

    /**
     * Runs the bot until the process is stopped.
     *
     * @param engineFactory the Stable Diffusion engine for the configured model (Main passes it); null allows only
     *                      --fake-engine
     * @return the exit code (2 for bad options or configuration)
     */
    public static int run(List<String> args, Function<JobsConfig, ImageGenerator> engineFactory,
                          Map<String, String> env, PrintStream out, PrintStream err) {
        Options o;
        DiscordSettings settings;
        JobsConfig config;
        PlanDefaults plans;
        try {
            o = parse(args);
            if (o.help()) {
                out.println(USAGE);
                return 0;
            }
            settings = DiscordSettings.load(o.config(), env);
            if (o.workers() != null) {
                settings = settings.withWorkers(o.workers());
            }
            config = JobsConfig.load(o.config(), env);
            plans = JobServices.loadPlans(o.plans());
        } catch (IllegalArgumentException e) {
            err.println("easel bot: " + e.getMessage());
            return 2;
        }
        Function<JobsConfig, ImageGenerator> engines;
        if (o.fakeEngine()) {
            engines = c -> new FakeImageGenerator(FakeImageGenerator.Options.fast()
                    .withStepDelay(Duration.ofMillis(o.fakeStepMillis())));
        } else if (engineFactory != null || settings.workers() == 0) {
            engines = engineFactory;
        } else {
            err.println("easel bot: no image engine: run through 'easel bot' (which loads Stable Diffusion) or pass "
                    + "--fake-engine");
            return 2;
        }
        Clock clock = Clock.systemUTC();
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
        try (JobServices jobs = JobServices.withPlans(config, plans, notifier, clock)) {
            List<JobWorker> workers = new ArrayList<>();
            for (int i = 0; i < settings.workers(); i++) {
                workers.add(jobs.newWorker(engines.apply(config), i, settings.workers()));
            }
            try (DiscordBot bot = new DiscordBot(settings, services(jobs), notifier, clock)) {
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
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** What the bot needs from a job service built {@link JobServices#withPlans with plans}, and the database. */
    public static DiscordBot.Services services(JobServices jobs) {
        TransactionRunner tx = jobs.database().transactions();
        return new DiscordBot.Services(jobs.submit(), jobs.press(), jobs.cancel(), jobs.list(),
                id -> tx.inTransaction(t -> jobs.jobs().find(id, t)), jobs.images(),
                jobs.quotaService().orElseThrow(() -> new IllegalArgumentException(
                        "the bot needs the plan-based quota (JobServices.withPlans)")),
                jobs.quotaAdmin().orElseThrow(), new JdbcBannedWords(tx), new JdbcPreferenceStore(tx),
                new JdbcDeliveryStore(tx), jobs.config().worker().upscaleScale(), jobs.config().generation().maxSteps());
    }
}
