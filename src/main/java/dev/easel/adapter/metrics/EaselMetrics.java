package dev.easel.adapter.metrics;

import dev.easel.domain.job.JobStatus;

/**
 * Easel's own metric families on one registry. The job families are fed by {@link MetricsNotifier} (so they count
 * what this process's workers did); the queue, process and GPU families are read at scrape time
 * ({@link QueueMetrics}, {@link ProcessMetrics}).
 */
public final class EaselMetrics {
    /** Job run times: seconds to minutes (CPU jobs take many minutes). */
    static final double[] DURATION_BUCKETS = {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800};
    /** Waiting times in the queue. */
    static final double[] WAIT_BUCKETS = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

    private final MetricsRegistry registry;
    final MetricsRegistry.Histogram jobDuration;
    final MetricsRegistry.Histogram queueWait;
    final MetricsRegistry.Counter steps;
    final MetricsRegistry.Gauge stepRate;
    final MetricsRegistry.Counter images;
    final MetricsRegistry.Counter finished;
    final MetricsRegistry.Counter failures;

    public EaselMetrics(MetricsRegistry registry) {
        this.registry = registry;
        jobDuration = registry.histogram("easel_job_duration_seconds",
                "Time from a job's start on a worker to its end (generation, storing, bookkeeping), by job kind.",
                DURATION_BUCKETS, "kind");
        queueWait = registry.histogram("easel_job_queue_wait_seconds",
                "Time a job waited in the queue before a worker started it, by lane.", WAIT_BUCKETS, "lane");
        steps = registry.counter("easel_denoising_steps_total",
                "Denoising steps completed by this process's workers, counted per job (rate() is the step rate).");
        stepRate = registry.gauge("easel_denoising_steps_per_second",
                "Denoising steps per second of the last job this process finished.");
        images = registry.counter("easel_images_generated_total",
                "Images delivered by finished jobs (a grid counts its candidates), by the owner's plan.", "plan");
        finished = registry.counter("easel_jobs_finished_total",
                "Jobs that reached an end state on this process, by status.", "status");
        failures = registry.counter("easel_job_failures_total", "Failed jobs by kind of reason.", "reason");
        for (JobStatus s : new JobStatus[]{JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED}) {
            finished.add(0, label(s));
        }
        for (String r : FailureReasons.LABELS) {
            failures.add(0, r);
        }
    }

    public MetricsRegistry registry() {
        return registry;
    }

    static String label(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }
}
