package dev.easel;

import dev.easel.adapter.logging.EaselLogLayout;
import dev.easel.adapter.metrics.EaselMetrics;
import dev.easel.adapter.metrics.GatewayStatus;
import dev.easel.adapter.metrics.HealthCheck;
import dev.easel.adapter.metrics.MetricsNotifier;
import dev.easel.adapter.metrics.MetricsRegistry;
import dev.easel.adapter.metrics.ObservabilityRoutes;
import dev.easel.adapter.metrics.ProcessMetrics;
import dev.easel.adapter.metrics.QueueMetrics;
import dev.easel.adapter.models.HubClient;
import dev.easel.adapter.models.ModelPuller;
import dev.easel.adapter.models.ModelStore;
import dev.easel.adapter.models.ProgressPrinter;
import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.adapter.persistence.JdbcDatabase;
import dev.easel.adapter.web.LocalHttpServer;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.application.JobWorker;
import dev.easel.application.QuotaGate;
import dev.easel.config.EaselConfig;
import dev.easel.config.JobsConfig;
import dev.easel.domain.job.JobId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code easel start}: everything one machine needs in one process. The database (embedded H2 file under data/
 * unless {@code database.url} says otherwise), the local worker(s) on the best device with the Stable Diffusion
 * engine, the Discord bot when {@code DISCORD_TOKEN} is set, and the HTTP server with {@code /healthz} and
 * {@code /metrics}.
 *
 * <p>No model installed: offers to download {@code model.default-repo} when the hub is reachable and someone is at
 * the terminal (or with {@code --yes}); otherwise says exactly what to do, and runs the {@code tiny} preset with
 * random weights when {@code --demo} (or {@code model.demo}) asks for it.
 *
 * <p>SIGTERM (or Ctrl-C): the workers take no new job, the running job finishes or goes back to the queue, and the
 * process exits within {@code worker.shutdown-timeout}.
 */
public final class StartCommand {
    private static final Logger log = LoggerFactory.getLogger(StartCommand.class);

    public static final String USAGE = """
            usage: easel start [options]
              --config FILE   easel.yaml to read (default: config/easel.yaml; missing = defaults)
              --demo          with no model installed, run the tiny preset with random weights (pictures are noise)
              --yes           with no model installed, download model.default-repo without asking
              --offline       never offer a download (no network use at start)
              --no-worker     run no jobs here (other processes run `easel start --no-bot`)
              --no-bot        do not start the Discord bot even when DISCORD_TOKEN is set
              --no-http       no HTTP server (no /healthz, /metrics, console)
              --workers N     engines in this process, one per GPU (default 1)""";

    /** Parsed command line. */
    public record Options(Path config, boolean demo, boolean yes, boolean offline, boolean worker, boolean bot,
                          boolean http, int workers) {
    }

    /** A started Discord bot as start sees it: job updates go to its notifier, /healthz reads its gateway. */
    public interface RunningBot extends GatewayStatus, AutoCloseable {
        JobNotifier notifier();

        /** Stops taking commands and disconnects. */
        @Override
        void close();
    }

    /** Starts the bot on the job services (Main supplies the Discord one). */
    @FunctionalInterface
    public interface BotStarter {
        RunningBot start(EaselConfig config, JobServices services) throws Exception;
    }

    /** Adds the web console's and API's routes (Main supplies them). */
    @FunctionalInterface
    public interface WebRoutes {
        /** @return the console's notifier for job events (live progress), or null */
        JobNotifier register(LocalHttpServer server, EaselConfig config, JobServices services);
    }

    /**
     * What Main plugs in.
     *
     * @param engines the image engine for the resolved configuration (one call per worker); when it returns an
     *                {@link AutoCloseable} (it owns a pipeline) that is closed at shutdown
     * @param quotas  the quota on the opened database
     * @param bot     null when this build has no Discord adapter
     * @param web     null when there are no routes besides /healthz and /metrics
     */
    public record Wiring(Function<EaselConfig, ImageGenerator> engines,
                         BiFunction<EaselConfig, JdbcDatabase, QuotaGate> quotas, BotStarter bot, WebRoutes web) {
    }

    /**
     * The outside world of one start: streams, the environment, whether a person answers at the terminal, and
     * whether the hub answers.
     */
    public record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean interactive,
                     Predicate<URI> reachable) {
        public static Io system() {
            return new Io(System.in, System.out, System.err, System.getenv(), System.console() != null,
                    StartCommand::answers);
        }
    }

    private StartCommand() {
    }

    public static Options parse(List<String> args) {
        Path config = EaselConfig.DEFAULT_FILE;
        boolean demo = false;
        boolean yes = false;
        boolean offline = false;
        boolean worker = true;
        boolean bot = true;
        boolean http = true;
        int workers = 1;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--demo" -> demo = true;
                case "--yes", "-y" -> yes = true;
                case "--offline" -> offline = true;
                case "--no-worker" -> worker = false;
                case "--no-bot" -> bot = false;
                case "--no-http" -> http = false;
                case "--workers" -> workers = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 1, 16);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new Options(config, demo, yes, offline, worker, bot, http, workers);
    }

    /** Starts, waits for SIGTERM (or Ctrl-C), shuts down; returns the exit code. */
    public static int run(List<String> args, Wiring wiring, Io io) {
        Running running;
        try {
            running = start(args, wiring, io);
        } catch (StartException e) {
            io.err().println("easel start: " + e.getMessage());
            return e.code;
        }
        if (running == null) {
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.shutdown();
            } finally {
                stopped.countDown();
            }
        }, "easel-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** A refusal to start, with its exit code (2: configuration or usage, 1: something failed). */
    public static final class StartException extends Exception {
        private final int code;

        StartException(int code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** The started process; {@link #shutdown} is what SIGTERM runs. */
    public static final class Running {
        private final EaselConfig config;
        private final JobServices services;
        private final List<JobWorker> workers;
        private final List<AutoCloseable> engines;
        private final RunningBot bot;
        private final LocalHttpServer http;
        private final MetricsRegistry metrics;
        private final boolean demo;
        private volatile boolean down;

        private Running(EaselConfig config, JobServices services, List<JobWorker> workers, List<AutoCloseable> engines,
                        RunningBot bot, LocalHttpServer http, MetricsRegistry metrics, boolean demo) {
            this.config = config;
            this.services = services;
            this.workers = workers;
            this.engines = engines;
            this.bot = bot;
            this.http = http;
            this.metrics = metrics;
            this.demo = demo;
        }

        public EaselConfig config() {
            return config;
        }

        public JobServices services() {
            return services;
        }

        public List<JobWorker> workers() {
            return workers;
        }

        public boolean demo() {
            return demo;
        }

        public MetricsRegistry metrics() {
            return metrics;
        }

        /** The HTTP server's port, or -1 without one. */
        public int httpPort() {
            return http == null ? -1 : http.port();
        }

        /**
         * Stops within {@code worker.shutdown-timeout}: workers stop taking jobs and finish or re-queue the running
         * ones (in parallel), then the bot, the HTTP server, the engines and the database close.
         *
         * @return the jobs put back in the queue
         */
        public synchronized List<JobId> shutdown() {
            if (down) {
                return List.of();
            }
            down = true;
            long t0 = System.nanoTime();
            Duration timeout = config.shutdownTimeout();
            // the workers get the time minus a reserve for closing the rest
            Duration forWorkers = timeout.minus(min(Duration.ofSeconds(2), timeout.dividedBy(5)));
            log.info("shutting down: no new jobs; running jobs finish or go back to the queue within {} s",
                    forWorkers.toMillis() / 1000.0);
            List<JobId> requeued = new CopyOnWriteArrayList<>();
            List<Thread> stops = new ArrayList<>();
            for (JobWorker w : workers) {
                Thread t = new Thread(() -> requeued.addAll(w.shutdown(forWorkers)), "easel-stop-" + w.id());
                t.start();
                stops.add(t);
            }
            for (Thread t : stops) {
                try {
                    t.join(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (bot != null) {
                quietly("bot", bot::close);
            }
            if (http != null) {
                quietly("http", http::close);
            }
            for (AutoCloseable e : engines) {
                quietly("engine", e::close);
            }
            // the workers are stopped (or abandoned past the deadline: JobServices.close would wait for them)
            quietly("database", () -> services.database().close());
            log.info("stopped in {} ms{}", (System.nanoTime() - t0) / 1_000_000,
                    requeued.isEmpty() ? "" : "; back in the queue: " + requeued);
            return List.copyOf(requeued);
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        private static void quietly(String what, ThrowingRunnable r) {
            try {
                r.run();
            } catch (Exception | LinkageError e) {
                log.warn("closing the {}: {}", what, e.toString());
            }
        }

        @FunctionalInterface
        private interface ThrowingRunnable {
            void run() throws Exception;
        }
    }

    /**
     * Starts everything and returns it running (tests call {@link Running#shutdown} themselves); null after a
     * finished help request.
     */
    public static Running start(List<String> args, Wiring wiring, Io io) throws StartException {
        if (args.contains("--help") || args.contains("-h")) {
            io.out().println(USAGE);
            return null;
        }
        Options o;
        EaselConfig config;
        try {
            o = parse(args);
            config = EaselConfig.load(o.config(), io.env());
        } catch (IllegalArgumentException e) {
            throw new StartException(2, e.getMessage(), e);
        }
        EaselLogLayout.use(config.logFormat() == EaselConfig.LogFormat.JSON ? EaselLogLayout.Format.JSON
                : EaselLogLayout.Format.TEXT);
        PrintStream out = io.out();

        // 1. the model
        boolean demo = false;
        EaselConfig effective = config;
        if (o.worker()) {
            if (!EngineModels.installed(config)) {
                offerDownload(o, config, io);
            }
            if (!EngineModels.installed(config)) {
                boolean demoAllowed = o.demo() || config.model().demo();
                io.err().println(noModelAdvice(config, demoAllowed));
                if (!demoAllowed) {
                    throw new StartException(2, "no model to run; see above", null);
                }
                demo = true;
                effective = withDemo(config);
            }
        }

        // 2. the job services, with metrics recorded on the way to the bot's notifier
        MetricsRegistry registry = new MetricsRegistry();
        EaselMetrics metrics = new EaselMetrics(registry);
        MetricsNotifier notifier = new MetricsNotifier(metrics, JobNotifier.NONE);
        JobServices services;
        EaselConfig cfg = effective;
        try {
            // the plan-based quota unless the wiring brings its own
            services = wiring.quotas() == null
                    ? JobServices.withPlans(closedByUs(config.jobs()), cfg.plans(), notifier, Clock.systemUTC())
                    : new JobServices(closedByUs(config.jobs()), db -> wiring.quotas().apply(cfg, db), notifier,
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new StartException(1, "the database could not be opened: " + e.getMessage(), e);
        }
        List<JobWorker> workers = new ArrayList<>();
        List<AutoCloseable> engines = new ArrayList<>();
        RunningBot bot = null;
        LocalHttpServer http = null;
        try {
            QueueMetrics.register(registry, services.database().dataSource());
            ProcessMetrics.register(registry, Path.of("/proc/self/status"), o.worker() ? GpuMemory.reader() : null);

            // 3. workers
            if (o.worker()) {
                warmUpImaging();
                for (int i = 0; i < o.workers(); i++) {
                    ImageGenerator engine;
                    try {
                        engine = wiring.engines().apply(effective);
                    } catch (RuntimeException e) {
                        throw new StartException(1, "the image engine could not start: " + e.getMessage(), e);
                    }
                    if (engine instanceof AutoCloseable c) {
                        engines.add(c);
                    }
                    workers.add(services.newWorker(engine, i, o.workers()));
                }
            }

            // 4. the bot
            String botLine;
            if (!o.bot()) {
                botLine = "off (--no-bot)";
            } else if (!config.bot().enabled()) {
                botLine = "off (DISCORD_TOKEN is not set)";
            } else if (wiring.bot() == null) {
                botLine = "off (this build has no Discord adapter)";
            } else {
                try {
                    bot = wiring.bot().start(config, services);
                } catch (Exception e) {
                    throw new StartException(1, "the Discord bot could not start: " + e.getMessage(), e);
                }
                notifier.delegateTo(bot.notifier());
                botLine = "on (gateway " + config.bot().gatewayUrl() + ")";
            }

            // 5. HTTP
            String httpLine = "off";
            if (o.http() && config.http().enabled()) {
                try {
                    http = new LocalHttpServer(config.http().bind(), config.http().port());
                } catch (IOException e) {
                    throw new StartException(1, "the HTTP server cannot listen on " + config.http().bind() + ":"
                            + config.http().port() + " (" + e.getMessage() + "); set http.port (EASEL_HTTP_PORT) to a"
                            + " free port or http.enabled: false", e);
                }
                List<JobWorker> local = List.copyOf(workers);
                Duration window = config.jobs().queue().workerActivity();
                HealthCheck health = new HealthCheck(HealthCheck.database(services.database().dataSource()),
                        () -> local, bot, Clock.systemUTC(), () -> services.database().transactions().inTransaction(
                        tx -> services.jobs().activeWorkers(Clock.systemUTC().instant().minus(window), tx)));
                ObservabilityRoutes.register(http, registry, health);
                if (wiring.web() != null) {
                    JobNotifier web = wiring.web().register(http, config, services);
                    notifier.delegateTo(JobNotifier.both(bot != null ? bot.notifier() : null, web));
                }
                http.start();
                httpLine = http.baseUrl() + "/ (/healthz, /metrics)";
            }
            workers.forEach(JobWorker::start);

            out.println("easel: model " + (o.worker() ? (demo ? "demo: tiny preset with random weights (pictures are"
                    + " noise)" : config.model().name() + " (" + config.model().dir() + ", device "
                    + config.model().device() + ", precision " + config.model().precision() + ")") : "none here (--no-worker)"));
            out.println("easel: " + workers.size() + " worker(s) " + workers.stream().map(JobWorker::id).toList()
                    + " on " + config.jobs().database().url().replaceFirst(";.*", ""));
            out.println("easel: bot " + botLine);
            out.println("easel: http " + httpLine);
            out.println("easel: ready; SIGTERM or Ctrl-C stops (running jobs finish or go back to the queue within "
                    + config.shutdownTimeout().toSeconds() + " s)");
            out.flush();
            return new Running(config, services, List.copyOf(workers), List.copyOf(engines), bot, http, registry, demo);
        } catch (StartException | RuntimeException e) {
            workers.forEach(JobWorker::close);
            if (bot != null) {
                bot.close();
            }
            if (http != null) {
                http.close();
            }
            for (AutoCloseable c : engines) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            services.close();
            if (e instanceof StartException s) {
                throw s;
            }
            throw new StartException(1, e.getMessage(), e);
        }
    }

    /**
     * The embedded H2 database closes itself in a JVM shutdown hook of its own, which would race the workers'
     * last transactions during SIGTERM: start closes it itself, after the workers (DB_CLOSE_ON_EXIT=FALSE).
     */
    static JobsConfig closedByUs(JobsConfig jobs) {
        DatabaseSettings db = jobs.database();
        if (!db.url().startsWith("jdbc:h2:") || db.url().toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
            return jobs;
        }
        return new JobsConfig(new DatabaseSettings(db.url() + ";DB_CLOSE_ON_EXIT=FALSE", db.user(), db.password(),
                db.poolSize()), jobs.imagesDir(), jobs.generation(), jobs.variations(), jobs.queue(), jobs.worker(),
                jobs.caps());
    }

    private static EaselConfig withDemo(EaselConfig c) {
        EaselConfig.Model m = c.model();
        return new EaselConfig(c.source(), c.bot(), new EaselConfig.Model(m.modelsDir(), m.name(), m.defaultRepo(),
                m.device(), m.precision(), m.variant(), true), c.http(), c.hub(), c.logFormat(), c.shutdownTimeout(),
                c.jobs(), c.plansFile(), c.plans());
    }

    /** What to do without a model, word for word. */
    static String noModelAdvice(EaselConfig c, boolean demo) {
        String name = c.model().name();
        return "No Stable Diffusion model in " + c.model().dir() + " (model.name: " + name + ").\n"
                + "To get one:\n"
                + "  scripts/easel models pull " + c.model().defaultRepo() + " --name " + name + " --variant fp16\n"
                + "      (gated models: export HF_TOKEN=<token from https://huggingface.co/settings/tokens>)\n"
                + "  or convert a checkpoint you have:\n"
                + "  scripts/easel models import <file.safetensors> --name " + name + "\n"
                + "  (scripts/easel models list shows what is installed; model.name picks one)\n"
                + (demo ? "Starting in demo mode meanwhile: the tiny preset with random weights (it draws noise)."
                : "Or try the bot without a model: scripts/easel start --demo");
    }

    /** Downloads the default model when the hub answers and the user agrees (or passed --yes). */
    private static void offerDownload(Options o, EaselConfig config, Io io) throws StartException {
        if (o.offline()) {
            return;
        }
        if (!o.yes() && !io.interactive()) {
            return; // nobody to ask: the advice says what to do
        }
        URI hub = config.hub().endpoint();
        if (!io.reachable().test(hub)) {
            io.err().println("easel: the hub (" + hub + ") does not answer; no download offered");
            return;
        }
        String repo = config.model().defaultRepo();
        if (!o.yes()) {
            io.err().print("No model installed. Download " + repo + " into " + config.model().dir() + " now (about "
                    + (config.model().variantOrNull() == null ? "4 GB" : "2 GB") + ")? [y/N] ");
            io.err().flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
                return;
            }
        }
        ModelPuller puller = new ModelPuller(new HubClient(hub, config.hub().token()),
                new ModelStore(config.model().modelsDir()), ProgressPrinter.forStderr(),
                ModelPuller.Settings.defaults(), Clock.systemUTC());
        try {
            ModelPuller.Result r = puller.pull(repo, null, config.model().variantOrNull(), config.model().name(), false);
            io.err().println("easel: installed " + repo + " as " + r.dir());
        } catch (IOException | IllegalArgumentException e) {
            io.err().println("easel: the download failed: " + e.getMessage());
        }
    }

    /**
     * Initialises Java2D, fonts and ImageIO now: they register JVM shutdown hooks when first used, which throws
     * "Shutdown in progress" if that first use is a job finishing during SIGTERM.
     */
    static void warmUpImaging() {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        try {
            g.drawString("easel", 0, 8);
        } finally {
            g.dispose();
        }
        try {
            javax.imageio.ImageIO.write(img, "png", new java.io.ByteArrayOutputStream());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether anything answers HTTP at {@code uri} within 3 seconds. */
    static boolean answers(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setRequestMethod("HEAD");
            c.setConnectTimeout(3000);
            c.setReadTimeout(3000);
            c.setInstanceFollowRedirects(false);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** GPU memory from the CUDA runtime (DJL's CudaUtils); null when no GPU is visible. */
    static final class GpuMemory {
        private GpuMemory() {
        }

        static ProcessMetrics.GpuMemoryReader reader() {
            int count;
            try {
                count = ai.djl.util.cuda.CudaUtils.getGpuCount();
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
            if (count <= 0) {
                return null;
            }
            return () -> {
                List<ProcessMetrics.GpuMemoryReader.Reading> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    java.lang.management.MemoryUsage u = ai.djl.util.cuda.CudaUtils.getGpuMemory(ai.djl.Device.gpu(i));
                    out.add(new ProcessMetrics.GpuMemoryReader.Reading(Integer.toString(i), u.getCommitted(), u.getMax()));
                }
                return out;
            };
        }
    }
}
