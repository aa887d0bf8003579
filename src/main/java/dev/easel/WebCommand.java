package dev.easel;

import dev.easel.adapter.web.ApiKeys;
import dev.easel.adapter.web.LocalHttpServer;
import dev.easel.adapter.web.WebConfig;
import dev.easel.adapter.web.WebConsole;
import dev.easel.adapter.web.WebJobEvents;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobWorker;
import dev.easel.config.JobsConfig;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * {@code easel web}: the local web console, admin page, gallery and HTTP API with in-process workers, on the same
 * job service and quota as the bot. {@link #attach} is the hook for a process that already runs the job service
 * and a {@link LocalHttpServer} (the bot's {@code start}).
 */
public final class WebCommand {
    private static final Logger log = LoggerFactory.getLogger(WebCommand.class);

    public static final String USAGE = """
            usage: easel web [options]
              --config FILE          easel.yaml to read (default: config/easel.yaml; missing = defaults)
              --plans FILE           default plans (default: config/plans.yaml)
              --bind ADDR            address to listen on (default: web.bind, 127.0.0.1)
              --port N               port (default: web.port, 8080; 0 = any free port)
              --workers N            engines in this process (default 1; 0 = leave jobs to 'easel worker' processes)
              --fake-engine          draw placeholder pictures instead of running Stable Diffusion
              --fake-step-ms N       with --fake-engine: time per denoising step (default 40)
              --hash-key KEY         print the sha256 of an API key for web.api-keys, and exit
              --new-key              print a fresh API key and its sha256, and exit""";

    /** Parsed command line. */
    public record Options(Path config, Path plans, String bind, Integer port, int workers, boolean fakeEngine,
                          long fakeStepMillis, String hashKey, boolean newKey) {
    }

    private WebCommand() {
    }

    public static Options parse(List<String> args) {
        Path config = Path.of("config/easel.yaml");
        Path plans = Path.of("config/plans.yaml");
        String bind = null;
        Integer port = null;
        int workers = 1;
        boolean fake = false;
        long stepMs = 40;
        String hash = null;
        boolean newKey = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--plans" -> plans = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--bind" -> bind = CommandArgs.value(args, ++i, a, USAGE);
                case "--port" -> port = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, 65535);
                case "--workers" -> workers = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, 64);
                case "--fake-engine" -> fake = true;
                case "--fake-step-ms" -> stepMs = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, 60_000);
                case "--hash-key" -> hash = CommandArgs.value(args, ++i, a, USAGE);
                case "--new-key" -> newKey = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new Options(config, plans, bind, port, workers, fake, stepMs, hash, newKey);
    }

    /**
     * Builds the console on running services (which must use the plan-based quota, {@link JobServices#withPlans}),
     * assigns the configured plans and registers its routes on {@code server} (not started here). {@code events}
     * must be (part of) the notifier the job service was built with ({@link WebJobEvents#alongside}).
     */
    public static WebConsole attach(WebConfig web, JobServices jobs, WebJobEvents events, LocalHttpServer server,
                                    Clock clock) {
        QuotaService quota = jobs.quotaService().orElseThrow(() -> new IllegalArgumentException(
                "the web console needs the plan-based quota (JobServices.withPlans)"));
        QuotaAdmin quotaAdmin = jobs.quotaAdmin().orElseThrow();
        WebConsole.Services services = new WebConsole.Services(jobs.submit(), jobs.press(), jobs.cancel(), jobs.list(),
                jobs.browse(), jobs.images(), quota, quotaAdmin, jobs.config().generation());
        WebConsole console = new WebConsole(web, services, events, new ApiKeys(web.apiKeys(), web.apiKeysFile(), clock),
                clock);
        console.prepare();
        console.register(server);
        return console;
    }

    /**
     * Runs the console until stopped, with the plan-based quota on the configured database.
     *
     * @param engineFactory the real engine (Main passes the Stable Diffusion one); null allows only --fake-engine
     * @return the process exit code
     */
    public static int run(List<String> args, Function<JobsConfig, ImageGenerator> engineFactory, PrintStream out,
                          PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (o.hashKey() != null) {
            out.println(ApiKeys.sha256(o.hashKey()));
            return 0;
        }
        if (o.newKey()) {
            String key = ApiKeys.newSecret();
            out.println("key:    " + key);
            out.println("sha256: " + ApiKeys.sha256(key));
            return 0;
        }
        JobsConfig config = JobsConfig.load(o.config(), System.getenv());
        WebConfig loaded = WebConfig.load(o.config(), System.getenv());
        WebConfig web = loaded.withBind(o.bind() != null ? o.bind() : loaded.bind(),
                o.port() != null ? o.port() : loaded.port());
        PlanDefaults plans;
        try {
            plans = JobServices.loadPlans(o.plans());
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        Function<JobsConfig, ImageGenerator> engines;
        if (o.fakeEngine()) {
            engines = c -> new FakeImageGenerator(FakeImageGenerator.Options.fast()
                    .withStepDelay(Duration.ofMillis(o.fakeStepMillis())));
        } else if (engineFactory != null || o.workers() == 0) {
            engines = engineFactory;
        } else {
            err.println("no image engine: run through 'easel web' with the Stable Diffusion engine, pass "
                    + "--fake-engine, or --workers 0 with 'easel worker' processes on the same database");
            return 2;
        }
        Clock clock = Clock.systemUTC();
        WebJobEvents events = new WebJobEvents(clock);
        try (JobServices services = JobServices.withPlans(config, plans, events, clock);
             LocalHttpServer server = new LocalHttpServer(web.bind(), web.port())) {
            attach(web, services, events, server, clock);
            List<JobWorker> workers = new ArrayList<>();
            for (int i = 0; i < o.workers(); i++) {
                workers.add(services.newWorker(engines.apply(config), i, o.workers()));
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                workers.forEach(JobWorker::close);
                stopped.countDown();
            }, "easel-web-stop"));
            workers.forEach(JobWorker::start);
            server.start();
            out.println("Easel console: " + WebConsole.url(web.bind(), server.port()) + "console"
                    + (web.adminEnabled() ? "  (admin: /admin)" : "  (admin page off: set web.admin-token)")
                    + (o.fakeEngine() ? "  [fake engine]" : ""));
            stopped.await();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("easel web: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("easel web: cannot listen on " + web.bind() + ":" + web.port() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Stand-alone entry (fake engine or external workers only); {@code Main} calls {@link #run} with the engine. */
    public static void main(String[] args) {
        System.exit(run(List.of(args), null, System.out, System.err));
    }
}
