package dev.easel;

import dev.easel.adapter.persistence.JdbcDatabase;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.application.JobWorker;
import dev.easel.application.QuotaGate;
import dev.easel.config.JobsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * {@code easel worker}: a process that only runs jobs, claiming them from the shared database (PostgreSQL when
 * several processes or machines work one queue). Stops on SIGTERM after the current batch; a killed worker's jobs
 * are taken over by the others after the lease, or by itself when it comes back with the same id.
 */
public final class WorkerCommand {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    public static final String USAGE = """
            usage: easel worker [options]
              --config FILE          easel.yaml to read (default: config/easel.yaml; missing = defaults)
              --id ID                worker id, stable across restarts (default: worker.id, else the host name)
              --workers N            engines in this process (one per GPU; default 1)
              --fake-engine          draw placeholder pictures instead of running Stable Diffusion
              --fake-step-ms N       with --fake-engine: time per denoising step (default 0)
              --exit-when-idle SEC   exit after SEC seconds without work (default: run until stopped)""";

    /** Parsed command line. */
    public record Options(Path config, String id, int workers, boolean fakeEngine, long fakeStepMillis,
                          Duration exitWhenIdle) {
    }

    private WorkerCommand() {
    }

    public static Options parse(List<String> args) {
        Path config = Path.of("config/easel.yaml");
        String id = null;
        int workers = 1;
        boolean fake = false;
        long stepMs = 0;
        Duration idle = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = Path.of(CommandArgs.value(args, ++i, a, USAGE));
                case "--id" -> id = CommandArgs.value(args, ++i, a, USAGE);
                case "--workers" -> workers = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, Integer.MAX_VALUE);
                case "--fake-engine" -> fake = true;
                case "--fake-step-ms" -> stepMs = CommandArgs.whole(CommandArgs.value(args, ++i, a, USAGE), a, 0, Integer.MAX_VALUE);
                case "--exit-when-idle" -> idle = Duration.ofMillis(Math.round(
                        Double.parseDouble(CommandArgs.value(args, ++i, a, USAGE)) * 1000));
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new Options(config, id, workers, fake, stepMs, idle);
    }

    /**
     * Runs workers until stopped (or idle, with --exit-when-idle).
     *
     * @param engineFactory the real engine (Main passes the Stable Diffusion one); null allows only --fake-engine
     * @param quotaFactory  the quota on the opened database; null = the built-in config caps
     * @return the process exit code
     */
    public static int run(List<String> args, Function<JobsConfig, ImageGenerator> engineFactory,
                          Function<JdbcDatabase, QuotaGate> quotaFactory, JobNotifier notifier, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        JobsConfig loaded = JobsConfig.load(o.config(), System.getenv());
        JobsConfig config = o.id() == null ? loaded : new JobsConfig(loaded.database(), loaded.imagesDir(),
                loaded.generation(), loaded.variations(), loaded.queue(), loaded.worker().withWorkerId(o.id()),
                loaded.caps());
        Function<JobsConfig, ImageGenerator> engines;
        if (o.fakeEngine()) {
            engines = c -> new FakeImageGenerator(FakeImageGenerator.Options.fast()
                    .withStepDelay(Duration.ofMillis(o.fakeStepMillis())));
        } else if (engineFactory != null) {
            engines = engineFactory;
        } else {
            err.println("no image engine: run through 'easel worker' (which loads Stable Diffusion) or pass --fake-engine");
            return 2;
        }
        Function<JdbcDatabase, QuotaGate> quotas = quotaFactory != null ? quotaFactory
                : db -> JobServices.configQuota(config);
        try (JobServices services = new JobServices(config, quotas, notifier, Clock.systemUTC())) {
            List<JobWorker> workers = new ArrayList<>();
            for (int i = 0; i < o.workers(); i++) {
                workers.add(services.newWorker(engines.apply(config), i, o.workers()));
            }
            log.info("{} worker(s) {} on {}", workers.size(), workers.stream().map(JobWorker::id).toList(),
                    config.database().url());
            if (o.exitWhenIdle() != null) {
                List<Thread> threads = new ArrayList<>();
                for (JobWorker w : workers) {
                    Thread t = new Thread(() -> w.runUntilIdle(o.exitWhenIdle()), "easel-" + w.id());
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join();
                }
                return 0;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                workers.forEach(JobWorker::close);
                stopped.countDown();
            }, "easel-worker-stop"));
            workers.forEach(JobWorker::start);
            stopped.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Stand-alone entry (fake engine only); {@code Main} calls {@link #run} with the real engine. */
    public static void main(String[] args) {
        System.exit(run(List.of(args), null, null, JobNotifier.NONE, System.err));
    }
}
