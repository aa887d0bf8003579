package dev.easel.adapter.metrics;

import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link JobNotifier} that records job metrics and then passes every call on to the real notifier (the Discord
 * bot's), which may be set after construction: the bot is built on the job services that already need a notifier.
 * Recording never throws into the worker.
 */
public final class MetricsNotifier implements JobNotifier {
    private final EaselMetrics metrics;
    private volatile JobNotifier delegate;
    /** Steps seen per running job, for the step rate. */
    private final Map<JobId, Integer> stepsSeen = new ConcurrentHashMap<>();

    public MetricsNotifier(EaselMetrics metrics, JobNotifier delegate) {
        this.metrics = metrics;
        this.delegate = delegate == null ? JobNotifier.NONE : delegate;
    }

    /** Replaces the notifier calls are passed on to. */
    public void delegateTo(JobNotifier next) {
        this.delegate = next == null ? JobNotifier.NONE : next;
    }

    @Override
    public void started(Job job) {
        if (job.startedAt() != null) {
            metrics.queueWait.observe(seconds(Duration.between(job.createdAt(), job.startedAt())),
                    EaselMetrics.label(job.lane()));
        }
        stepsSeen.put(job.id(), 0);
        delegate.started(job);
    }

    @Override
    public void progress(Job job, int step, int totalSteps, BufferedImage preview) {
        metrics.steps.inc();
        stepsSeen.merge(job.id(), 1, Integer::sum);
        delegate.progress(job, step, totalSteps, preview);
    }

    @Override
    public void completed(Job job) {
        Integer steps = stepsSeen.remove(job.id());
        if (job.startedAt() != null && job.finishedAt() != null) {
            double s = seconds(Duration.between(job.startedAt(), job.finishedAt()));
            metrics.jobDuration.observe(s, EaselMetrics.label(job.kind()));
            if (steps != null && steps > 0 && s > 0) {
                metrics.stepRate.set(steps / s);
            }
        }
        metrics.images.add(job.imageCount(), job.planName());
        metrics.finished.inc(EaselMetrics.label(job.status()));
        delegate.completed(job);
    }

    @Override
    public void failed(Job job) {
        stepsSeen.remove(job.id());
        metrics.finished.inc(EaselMetrics.label(job.status()));
        metrics.failures.inc(FailureReasons.classify(job.failureReason()));
        delegate.failed(job);
    }

    @Override
    public void cancelled(Job job) {
        stepsSeen.remove(job.id());
        metrics.finished.inc(EaselMetrics.label(job.status()));
        delegate.cancelled(job);
    }

    private static double seconds(Duration d) {
        return Math.max(0, d.toNanos() / 1e9);
    }
}
