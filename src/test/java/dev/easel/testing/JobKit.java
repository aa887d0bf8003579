package dev.easel.testing;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.adapter.persistence.JdbcDatabase;
import dev.easel.adapter.persistence.JdbcJobRepository;
import dev.easel.adapter.storage.FileImageStore;
import dev.easel.application.CancelJob;
import dev.easel.application.CancelSignals;
import dev.easel.application.FairJobQueue;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobIntake;
import dev.easel.application.JobWorker;
import dev.easel.application.ListJobs;
import dev.easel.application.PressButton;
import dev.easel.application.QuotaGate;
import dev.easel.application.QueueSettings;
import dev.easel.application.SubmitImagine;
import dev.easel.application.TransactionRunner;
import dev.easel.application.VariationSettings;
import dev.easel.application.WorkSignal;
import dev.easel.application.WorkerSettings;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.PromptParser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The whole job service wired on one database, with a ledger quota (or another built on the database), a recording
 * notifier and a ticking clock.
 */
public final class JobKit implements AutoCloseable {
    private static final AtomicInteger MEM = new AtomicInteger();

    public final JdbcDatabase db;
    public final JdbcJobRepository jobs;
    public final TransactionRunner tx;
    public final MutableClock clock = new MutableClock().ticking(Duration.ofMillis(1));
    public final FileImageStore images;
    public final RecordingNotifier notifier = new RecordingNotifier();
    public final QuotaGate quota;
    public final CancelSignals cancels = new CancelSignals();
    public final WorkSignal signal = new WorkSignal();
    public final FairJobQueue queue;
    public final JobIntake intake;
    public final SubmitImagine submit;
    public final PressButton press;
    public final CancelJob cancel;
    public final ListJobs list;
    private final List<JobWorker> workers = new ArrayList<>();

    public JobKit(DatabaseSettings settings, Path imageDir, int maxRunning, int maxQueued) {
        this(settings, imageDir, db -> {
            LedgerQuotaGate.createTable(db.dataSource());
            return new LedgerQuotaGate(maxRunning, maxQueued);
        });
    }

    /** The kit with the quota {@code quotaFactory} builds on the opened database. */
    public JobKit(DatabaseSettings settings, Path imageDir, Function<JdbcDatabase, QuotaGate> quotaFactory) {
        db = JdbcDatabase.open(settings);
        jobs = db.jobRepository();
        tx = db.transactions();
        images = new FileImageStore(imageDir);
        quota = quotaFactory.apply(db);
        queue = new FairJobQueue(jobs, tx, clock, QueueSettings.defaults());
        intake = new JobIntake(jobs, quota, tx, queue, signal, clock);
        submit = new SubmitImagine(new PromptParser(PromptParser.Settings.sd15("sd15")), intake,
                new SplittableRandom(1));
        press = new PressButton(jobs, tx, intake, VariationSettings.defaults(), new SplittableRandom(2));
        cancel = new CancelJob(jobs, quota, tx, cancels, notifier, clock);
        list = new ListJobs(jobs, tx, queue);
    }

    /** An in-memory H2 database of its own. */
    public static JobKit h2(Path imageDir, int maxRunning, int maxQueued) {
        return new JobKit(h2Memory(), imageDir, maxRunning, maxQueued);
    }

    /** Settings of a new in-memory H2 database (PostgreSQL mode), kept until the JVM exits. */
    public static DatabaseSettings h2Memory() {
        return new DatabaseSettings("jdbc:h2:mem:kit" + MEM.incrementAndGet()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "", 8);
    }

    public static WorkerSettings fastWorker(String id) {
        return fastWorker(id, 8);
    }

    public static WorkerSettings fastWorker(String id, int maxBatchImages) {
        return new WorkerSettings(id, maxBatchImages, 8, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                2, Duration.ofMillis(20), Duration.ofSeconds(30), 2);
    }

    public JobWorker worker(String id, ImageGenerator generator) {
        return worker(fastWorker(id), generator);
    }

    public JobWorker worker(WorkerSettings settings, ImageGenerator generator) {
        JobWorker w = new JobWorker(settings, queue, jobs, tx, generator, images, notifier, quota, cancels, signal,
                clock);
        workers.add(w);
        return w;
    }

    public Job submitted(String user, String prompt) {
        SubmitImagine.Result r = submit.submit(new SubmitImagine.Request(new Owner(user, "g1", "c1"), prompt));
        return assertInstanceOf(SubmitImagine.Accepted.class, r, () -> "submit failed: " + r).job();
    }

    public Job reload(JobId id) {
        return tx.inTransaction(t -> jobs.find(id, t)).orElseThrow();
    }

    @Override
    public void close() {
        workers.forEach(JobWorker::close);
        db.close();
    }
}
