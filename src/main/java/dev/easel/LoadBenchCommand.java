package dev.easel;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.application.JobWorker;
import dev.easel.application.QueueSettings;
import dev.easel.application.SubmitImagine;
import dev.easel.application.WorkerSettings;
import dev.easel.config.JobsConfig;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code easel loadbench}: submits many jobs from many simulated users against the fake engine and in-process
 * workers on a fresh database, then prints throughput, queue latency percentiles and fairness. A benchmark: it
 * prints numbers and never fails on them.
 */
public final class LoadBenchCommand {
    public static final String USAGE = """
            usage: easel loadbench [options]
              --database h2|URL      h2 (a fresh file database in a temp dir, default) or an empty database's JDBC URL
              --user U --password P  credentials for a database URL
              --jobs N               jobs to submit (default 1000)
              --users N              simulated users, each submitting jobs/users jobs (default 100)
              --workers N            in-process workers (default 2)
              --submitters N         threads submitting (default 8)
              --mode live|preload    live: workers run while jobs arrive; preload: all jobs queued first (default live)
              --size N --steps N     picture size and steps of every job (default 64, 4)
              --step-ms N            fake engine time per step (default 2)
              --max-batch-images N   merge compatible jobs up to N images per engine call (default 8)
              --max-running N        per-user running cap (default 2)""";

    private LoadBenchCommand() {
    }

    record Options(String database, String user, String password, int jobs, int users, int workers, int submitters,
                   boolean preload, int size, int steps, int stepMillis, int maxBatchImages, int maxRunning) {
    }

    static Options parse(List<String> args) {
        Map<String, String> v = new HashMap<>(Map.of("--database", "h2", "--user", "", "--password", "",
                "--jobs", "1000", "--users", "100", "--workers", "2", "--submitters", "8", "--mode", "live",
                "--size", "64", "--steps", "4"));
        v.putAll(Map.of("--step-ms", "2", "--max-batch-images", "8", "--max-running", "2"));
        for (int i = 0; i < args.size(); i += 2) {
            String key = args.get(i);
            if (!v.containsKey(key)) {
                throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
            }
            v.put(key, args.get(i + 1));
        }
        String mode = v.get("--mode");
        if (!mode.equals("live") && !mode.equals("preload")) {
            throw new IllegalArgumentException("--mode must be live or preload; got " + mode);
        }
        return new Options(v.get("--database"), v.get("--user"), v.get("--password"), num(v, "--jobs"),
                num(v, "--users"), num(v, "--workers"), num(v, "--submitters"), mode.equals("preload"),
                num(v, "--size"), num(v, "--steps"), num(v, "--step-ms"), num(v, "--max-batch-images"),
                num(v, "--max-running"));
    }

    private static int num(Map<String, String> v, String key) {
        try {
            int n = Integer.parseInt(v.get(key));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(key + " must be a whole number >= 0; got '" + v.get(key) + "'");
    }

    /** Counts engine calls and the requests they carried (jobs per call shows how much merging happened). */
    private static final class CountingEngine implements ImageGenerator {
        private final ImageGenerator inner;
        final AtomicLong calls = new AtomicLong();
        final AtomicLong requests = new AtomicLong();

        CountingEngine(ImageGenerator inner) {
            this.inner = inner;
        }

        @Override
        public List<GenerationResult> generate(List<GenerationRequest> batch) throws GenerationFailedException {
            calls.incrementAndGet();
            requests.addAndGet(batch.size());
            return inner.generate(batch);
        }

        @Override
        public int maxBatchImages(int width, int height) {
            return inner.maxBatchImages(width, height);
        }
    }

    private record Row(String user, Instant created, Instant started, Instant finished, String status) {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (o.users() < 1 || o.jobs() < o.users() || o.workers() < 1 || o.submitters() < 1) {
            err.println("need at least 1 user, 1 worker, 1 submitter and as many jobs as users");
            return 2;
        }
        Path tmp = Files.createTempDirectory("easel-loadbench-");
        try {
            DatabaseSettings db = o.database().equals("h2")
                    ? new DatabaseSettings(DatabaseSettings.h2File(tmp.resolve("easel")).url(), "sa", "",
                    o.workers() + o.submitters() + 4)
                    : new DatabaseSettings(o.database(), o.user(), o.password(), o.workers() + o.submitters() + 4);
            JobsConfig defaults = JobsConfig.defaults();
            WorkerSettings ws = new WorkerSettings("bench", o.maxBatchImages(), 8, Duration.ofMillis(20),
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 2, 0, Duration.ofMillis(200),
                    Duration.ofMinutes(10), 2);
            JobsConfig config = new JobsConfig(db, tmp.resolve("images"), defaults.generation(), defaults.variations(),
                    new QueueSettings(500, 2000, 50, 250, Duration.ofMinutes(5)), ws,
                    new JobsConfig.Caps("bench", Lane.FAST, o.maxRunning(), o.jobs()));
            try (JobServices services = new JobServices(config, d -> JobServices.configQuota(config),
                    JobNotifier.NONE, Clock.systemUTC())) {
                int existing = count(services, "SELECT COUNT(*) FROM jobs");
                if (existing > 0) {
                    err.println("the database already has " + existing + " jobs; point the bench at an empty database");
                    return 2;
                }
                CountingEngine engine = new CountingEngine(new FakeImageGenerator(new FakeImageGenerator.Options(
                        Duration.ofMillis(o.stepMillis()), o.maxBatchImages(), Integer.MAX_VALUE)));
                List<JobWorker> workers = new ArrayList<>();
                for (int i = 0; i < o.workers(); i++) {
                    workers.add(services.newWorker(engine, i, o.workers()));
                }
                if (!o.preload()) {
                    workers.forEach(JobWorker::start);
                }
                // Every user submits jobs/users jobs (the remainder to the first users), in a shuffled order.
                List<String> submissions = new ArrayList<>();
                for (int j = 0; j < o.jobs(); j++) {
                    submissions.add("user" + (j % o.users()));
                }
                Collections.shuffle(submissions, new Random(42));
                String params = " --size " + o.size() + "x" + o.size() + " --steps " + o.steps();
                long[] submitNanos = new long[submissions.size()];
                long start = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(o.submitters());
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < submissions.size(); i++) {
                    int k = i;
                    futures.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        SubmitImagine.Result r = services.submit().submit(new SubmitImagine.Request(
                                new Owner(submissions.get(k), "bench", "bench"), "load test picture " + k + params));
                        submitNanos[k] = System.nanoTime() - t0;
                        if (!(r instanceof SubmitImagine.Accepted)) {
                            throw new IllegalStateException("submission refused: " + r);
                        }
                        return null;
                    }));
                }
                try {
                    for (Future<?> f : futures) {
                        f.get();
                    }
                } finally {
                    pool.shutdownNow();
                }
                double submitSeconds = (System.nanoTime() - start) / 1e9;
                if (o.preload()) {
                    workers.forEach(JobWorker::start);
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (count(services, "SELECT COUNT(*) FROM jobs WHERE status IN ('DONE', 'FAILED', 'CANCELLED')")
                        < o.jobs()) {
                    if (System.nanoTime() > deadline) {
                        err.println("jobs did not finish within 10 minutes");
                        return 1;
                    }
                    Thread.sleep(20);
                }
                workers.forEach(JobWorker::close);
                List<Row> rows = rows(services);
                report(out, o, services.database().dialect().name(), submitSeconds, submitNanos, rows, engine);
            }
            return 0;
        } finally {
            deleteTree(tmp);
        }
    }

    private static void report(PrintStream out, Options o, String database, double submitSeconds, long[] submitNanos,
                               List<Row> rows, CountingEngine engine) {
        Instant first = rows.stream().map(Row::created).min(Instant::compareTo).orElseThrow();
        Instant last = rows.stream().map(Row::finished).max(Instant::compareTo).orElseThrow();
        Instant firstStart = rows.stream().map(Row::started).min(Instant::compareTo).orElseThrow();
        double wall = Duration.between(o.preload() ? firstStart : first, last).toNanos() / 1e9;
        long done = rows.stream().filter(r -> r.status().equals("DONE")).count();
        long[] latency = rows.stream().mapToLong(r -> Duration.between(r.created(), r.started()).toMillis())
                .sorted().toArray();
        long[] submitMs = java.util.Arrays.stream(submitNanos).map(n -> n / 1_000_000).sorted().toArray();
        // Fairness: in the first half of all starts, how many jobs each user got (ideal: the same for everyone).
        List<Row> byStart = new ArrayList<>(rows);
        byStart.sort((a, b) -> a.started().compareTo(b.started()));
        Map<String, Integer> share = new HashMap<>();
        for (int i = 0; i < o.users(); i++) {
            share.put("user" + i, 0);
        }
        for (Row r : byStart.subList(0, byStart.size() / 2)) {
            share.merge(r.user(), 1, Integer::sum);
        }
        int max = share.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = share.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        out.printf(Locale.ROOT, "%nEasel load bench — %s, %s mode, %d jobs from %d users, %d workers, fake engine "
                        + "%d steps × %d ms at %dx%d, merge up to %d images, %d running per user%n",
                database, o.preload() ? "preload" : "live", o.jobs(), o.users(), o.workers(), o.steps(),
                o.stepMillis(), o.size(), o.size(), o.maxBatchImages(), o.maxRunning());
        String line = "+----------------------------------+---------------+";
        out.println(line);
        row(out, "jobs done / submitted", done + " / " + rows.size());
        row(out, "wall time (s)", fmt(wall));
        row(out, "throughput (jobs/s)", fmt(done / wall));
        row(out, "throughput (images/s)", fmt(done * 4 / wall));
        row(out, "submit rate (jobs/s)", fmt(o.jobs() / submitSeconds));
        row(out, "submit call p50 / p99 (ms)", submitMs[pct(submitMs, 50)] + " / " + submitMs[pct(submitMs, 99)]);
        row(out, "queue latency p50 (ms)", Long.toString(latency[pct(latency, 50)]));
        row(out, "queue latency p95 (ms)", Long.toString(latency[pct(latency, 95)]));
        row(out, "queue latency p99 (ms)", Long.toString(latency[pct(latency, 99)]));
        row(out, "queue latency max (ms)", Long.toString(latency[latency.length - 1]));
        row(out, "jobs per engine call", fmt((double) engine.requests.get() / Math.max(1, engine.calls.get())));
        row(out, "fairness: 1st half share max/min", max + " / " + min + (min == 0 ? " (some user got none)"
                : " = " + fmt((double) max / min)));
        out.println(line);
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf(Locale.ROOT, "| %-32s | %13s |%n", name, value);
    }

    private static int pct(long[] sorted, int p) {
        return Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static int count(JobServices services, String sql) throws SQLException {
        try (Connection c = services.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<Row> rows(JobServices services) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = services.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT owner_user_id, created_at, started_at, finished_at, status FROM jobs")) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getObject(4, OffsetDateTime.class).toInstant(),
                        rs.getString(5)));
            }
        }
        return rows;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args), System.out, System.err));
    }
}
