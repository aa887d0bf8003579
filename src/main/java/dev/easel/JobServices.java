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
import dev.easel.application.QuotaServiceGate;
import dev.easel.application.SubmitImagine;
import dev.easel.application.WorkSignal;
import dev.easel.application.WorkerSettings;
import dev.easel.adapter.persistence.JdbcQuotaStore;
import dev.easel.config.JobsConfig;
import dev.easel.config.PlansConfig;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The generation service wired by hand: database (migrated), job repository, image store, fair queue and the use
 * cases, plus workers on demand. {@code Main} builds one for the bot, {@code worker} and {@code loadbench} too.
 *
 * <p>The quota plugs in here: {@link #withPlans} uses the plan-based quota ({@link QuotaServiceGate} on the quota
 * tables of the same database, so reserving and enqueueing are one transaction, with {@link #quotaService()} for
 * /info and {@link #quotaAdmin()} for admin commands); {@link #configQuota} is the built-in one (one plan for
 * everyone, per-user caps, nothing charged). Every process on one database must use the same kind of quota: a
 * reservation is settled by whichever process finishes its job.
 */
public final class JobServices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobServices.class);

    private final JobsConfig config;
    private final JdbcDatabase database;
    private final JdbcJobRepository jobs;
    private final FileImageStore images;
    private final QuotaGate quota;
    private final QuotaService quotaService;
    private final QuotaAdmin quotaAdmin;
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
        this(config, notifier, clock, db -> new Quota(quotaFactory.apply(db), null, null));
    }

    /**
     * The service with the plan-based quota: {@code plans} are the defaults every guild starts with (see
     * {@link #loadPlans}). At startup, open reservations whose job ended or vanished are settled (see
     * {@link JdbcQuotaStore#settleUnsettled}).
     */
    public static JobServices withPlans(JobsConfig config, PlanDefaults plans, JobNotifier notifier, Clock clock) {
        return new JobServices(config, notifier, clock, db -> planQuota(db, config, plans, clock));
    }

    /**
     * The plan-based quota as a factory for {@link #JobServices(JobsConfig, Function, JobNotifier, Clock)} (and
     * {@code WorkerCommand.run}), for processes that only need the gate.
     */
    public static Function<JdbcDatabase, QuotaGate> planQuota(JobsConfig config, PlanDefaults plans, Clock clock) {
        return db -> planQuota(db, config, plans, clock).gate();
    }

    /** Reads the default plans (e.g. {@code config/plans.yaml}); a mistake is an IllegalArgumentException naming it. */
    public static PlanDefaults loadPlans(Path file) {
        try {
            return PlansConfig.load(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The quota in use; service and admin only for the plan-based one. */
    private record Quota(QuotaGate gate, QuotaService service, QuotaAdmin admin) {
    }

    private static Quota planQuota(JdbcDatabase db, JobsConfig config, PlanDefaults plans, Clock clock) {
        JdbcQuotaStore store = db.quotaStore();
        QuotaService service = new QuotaService(store, clock, plans);
        int settled = store.settleUnsettled(service);
        if (settled > 0) {
            log.info("settled {} reservation(s) whose job had ended or vanished", settled);
        }
        return new Quota(new QuotaServiceGate(service, config.worker().upscaleScale()), service,
                new QuotaAdmin(store, clock, plans));
    }

    private JobServices(JobsConfig config, JobNotifier notifier, Clock clock, Function<JdbcDatabase, Quota> quotas) {
        this.config = config;
        this.database = JdbcDatabase.open(config.database());
        try {
            this.jobs = database.jobRepository();
            this.images = new FileImageStore(config.imagesDir());
            Quota q = quotas.apply(database);
            this.quota = q.gate();
            this.quotaService = q.service();
            this.quotaAdmin = q.admin();
            this.notifier = notifier;
            this.clock = clock;
            this.queue = new FairJobQueue(jobs, database.transactions(), clock, config.queue());
            SecureRandom seeds = new SecureRandom();
            JobIntake intake = new JobIntake(jobs, quota, database.transactions(), queue, signal, clock);
            this.submit = new SubmitImagine(new PromptParser(config.generation()), intake, seeds);
            this.press = new PressButton(jobs, database.transactions(), intake, config.variations(), seeds,
                    config.worker().upscaleScale());
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

    /** The quota the use cases and workers call. */
    public QuotaGate quota() {
        return quota;
    }

    /** The plan-based quota's service (usage for /info, private mode), if this service uses it. */
    public Optional<QuotaService> quotaService() {
        return Optional.ofNullable(quotaService);
    }

    /** The plan-based quota's admin operations (plans, mappings, assignments, bonus, audit), if this service uses it. */
    public Optional<QuotaAdmin> quotaAdmin() {
        return Optional.ofNullable(quotaAdmin);
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
