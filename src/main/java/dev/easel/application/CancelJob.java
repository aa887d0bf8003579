package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;

import java.time.Clock;
import java.util.Optional;

/**
 * Stops a job. A waiting job is cancelled and refunded at once; a running one gets its stop flag, and its worker
 * stops it at the next denoising step (checked through the generator's progress listener), then refunds it.
 */
public final class CancelJob {

    /** @param admin the actor may cancel anyone's job */
    public record Request(JobId jobId, String actorUserId, boolean admin) {
    }

    public sealed interface Result permits Cancelled, Stopping, NotFound, NotAllowed, AlreadyFinished {
    }

    public record Cancelled(Job job) implements Result {
    }

    /** Running: it stops at its next step. */
    public record Stopping(Job job) implements Result {
    }

    public record NotFound(JobId jobId) implements Result {
    }

    public record NotAllowed(String message) implements Result {
    }

    public record AlreadyFinished(Job job) implements Result {
    }

    private final JobRepository jobs;
    private final QuotaGate quota;
    private final TransactionRunner transactions;
    private final CancelSignals signals;
    private final JobNotifier notifier;
    private final Clock clock;

    public CancelJob(JobRepository jobs, QuotaGate quota, TransactionRunner transactions, CancelSignals signals,
                     JobNotifier notifier, Clock clock) {
        this.jobs = jobs;
        this.quota = quota;
        this.transactions = transactions;
        this.signals = signals;
        this.notifier = notifier;
        this.clock = clock;
    }

    public Result cancel(Request request) {
        // Two rounds at most: a job that starts between our read and our write is then stopped as running.
        for (int round = 0; round < 2; round++) {
            Result result = transactions.inTransaction(tx -> {
                Optional<Job> found = jobs.find(request.jobId(), tx);
                if (found.isEmpty()) {
                    return new NotFound(request.jobId());
                }
                Job job = found.get();
                if (!request.admin() && !job.owner().userId().equals(request.actorUserId())) {
                    return new NotAllowed("job " + job.id() + " belongs to someone else; only its owner or an "
                            + "admin can cancel it");
                }
                if (job.status().isTerminal()) {
                    return new AlreadyFinished(job);
                }
                if (job.status() == JobStatus.QUEUED) {
                    Job cancelled = job.cancel(clock.instant());
                    if (!jobs.transition(job, cancelled, tx)) {
                        return null; // it changed under us: look again
                    }
                    quota.refund(job.reservationId(), "cancelled before it started", tx);
                    return new Cancelled(cancelled);
                }
                if (!jobs.requestCancel(job.id(), tx)) {
                    return null;
                }
                return new Stopping(job.withCancelRequested());
            });
            if (result instanceof Cancelled c) {
                safely(() -> notifier.cancelled(c.job()));
                return result;
            }
            if (result instanceof Stopping s) {
                signals.request(s.job().id());
                return result;
            }
            if (result != null) {
                return result;
            }
        }
        return transactions.inTransaction(tx -> jobs.find(request.jobId(), tx))
                .<Result>map(AlreadyFinished::new).orElse(new NotFound(request.jobId()));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CancelJob.class).warn("notifier failed", e);
        }
    }
}
