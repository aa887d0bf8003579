package dev.easel;

import dev.easel.adapter.persistence.JdbcDatabase;
import dev.easel.adapter.persistence.JdbcJobRepository;
import dev.easel.adapter.storage.FileImageStore;
import dev.easel.application.BrowseJobs;
import dev.easel.application.CancelJob;
import dev.easel.application.CancelSignals;
import dev.easel.application.ConfigQuotaGate;
import dev.easel.application.FairJobQueue;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobIntake;
import dev.easel.application.JobNotifier;
import dev.easel.application.JobWorker;
import dev.easel.application.ListJobs;
import dev.easel.application.PressButton;
import dev.easel.application.QuotaGate;
import dev.easel.application.SubmitImagine;
import dev.easel.application.WorkSignal;
import dev.easel.application.WorkerSettings;
import dev.easel.config.JobsConfig;
import dev.easel.domain.job.PromptParser;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The generation service wired by hand: database (migrated), job repository, image store, fair queue and the use
 * cases, plus workers on demand. {@code Main} builds one for the bot, {@code worker} and {@code loadbench} too.
 *
 * <p>The quota plugs in here: pass the plan-based {@link QuotaGate} (built on {@link #database()}'s
 * transactions), or use {@link #configQuota} until it exists.
 */
public final class JobServices implements AutoCloseable {
    private final JobsConfig config;
    private final JdbcDatabase database;
    private final JdbcJobRepository jobs;
    private final FileImageStore images;
    private final QuotaGate quota;
    private final JobNotifier notifier;
    private final Clock clock;
    private final CancelSignals cancels = new CancelSignals();
    private final WorkSignal signal = new WorkSignal();
    private final FairJobQueue queue;
    private final SubmitImagine submit;
    private final PressButton press;
    private final CancelJob cancel;
    private final ListJobs list;
    private final BrowseJobs browse;
    private final List<JobWorker> workers = new ArrayList<>();

    /**
     * @param quotaFactory builds the quota on the opened database (e.g. {@code JobServices::configQuota})
     */
    public JobServices(JobsConfig config, Function<JdbcDatabase, QuotaGate> quotaFactory, JobNotifier notifier,
                       Clock clock) {
        this.config = config;
        this.database = JdbcDatabase.open(config.database());
        try {
            this.jobs = database.jobRepository();
            this.images = new FileImageStore(config.imagesDir());
            this.quota = quotaFactory.apply(database);
            this.notifier = notifier;
            this.clock = clock;
            this.queue = new FairJobQueue(jobs, database.transactions(), clock, config.queue());
            SecureRandom seeds = new SecureRandom();
            JobIntake intake = new JobIntake(jobs, quota, database.transactions(), queue, signal, clock);
            this.submit = new SubmitImagine(new PromptParser(config.generation()), intake, seeds);
            this.press = new PressButton(jobs, database.transactions(), intake, config.variations(), seeds);
            this.cancel = new CancelJob(jobs, quota, database.transactions(), cancels, notifier, clock);
            this.list = new ListJobs(jobs, database.transactions(), queue);
            this.browse = new BrowseJobs(jobs, database.transactions(), queue);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The built-in quota from the config's {@code queue} caps. */
    public static QuotaGate configQuota(JobsConfig config) {
        JobsConfig.Caps caps = config.caps();
        return new ConfigQuotaGate(caps.planName(), caps.lane(), caps.maxRunningPerUser(), caps.maxQueuedPerUser());
    }

    /** A worker on {@code engine}; {@code index} tells apart several workers of one process (ids "id-0", "id-1"…). */
    public synchronized JobWorker newWorker(ImageGenerator engine, int index, int count) {
        WorkerSettings ws = config.worker();
        if (count > 1) {
            ws = ws.withWorkerId(ws.workerId() + "-" + index);
        }
        JobWorker w = new JobWorker(ws, queue, jobs, database.transactions(), engine, images, notifier, quota,
                cancels, signal, clock);
        workers.add(w);
        return w;
    }

    public JobsConfig config() {
        return config;
    }

    public JdbcDatabase database() {
        return database;
    }

    public JdbcJobRepository jobs() {
        return jobs;
    }

    public FileImageStore images() {
        return images;
    }

    public FairJobQueue queue() {
        return queue;
    }

    public SubmitImagine submit() {
        return submit;
    }

    public PressButton press() {
        return press;
    }

    public CancelJob cancel() {
        return cancel;
    }

    public ListJobs list() {
        return list;
    }

    public BrowseJobs browse() {
        return browse;
    }

    @Override
    public void close() {
        List<JobWorker> ws;
        synchronized (this) {
            ws = List.copyOf(workers);
        }
        ws.forEach(JobWorker::close);
        database.close();
    }
}
