package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The common end of every submission: quota reservation and the QUEUED job are saved in one transaction (a
 * crash never leaves a charge without a job or a job without its reservation), then idle workers are woken.
 */
public final class JobIntake {

    public sealed interface Outcome permits Enqueued, Refused {
    }

    /** Saved and waiting; the standing is empty only when the job lies beyond the standings window. */
    public record Enqueued(Job job, Optional<QueueStanding> standing) implements Outcome {
    }

    public record Refused(String reason) implements Outcome {
    }

    private final JobRepository jobs;
    private final QuotaGate quota;
    private final TransactionRunner transactions;
    private final FairJobQueue queue;
    private final WorkSignal signal;
    private final Clock clock;

    public JobIntake(JobRepository jobs, QuotaGate quota, TransactionRunner transactions, FairJobQueue queue,
                     WorkSignal signal, Clock clock) {
        this.jobs = jobs;
        this.quota = quota;
        this.transactions = transactions;
        this.queue = queue;
        this.signal = signal;
        this.clock = clock;
    }

    /** @param params with the seed chosen */
    public Outcome enqueue(Owner owner, JobKind kind, Origin origin, GenerationParams params) {
        return enqueue(owner, Membership.NONE, kind, origin, params);
    }

    /**
     * @param membership the owner's roles and entitlements, for the quota
     * @param params     with the seed chosen
     */
    public Outcome enqueue(Owner owner, Membership membership, JobKind kind, Origin origin, GenerationParams params) {
        return enqueue(owner, membership, kind, origin, params, kind == JobKind.UPSCALE ? 1 : 0);
    }

    /** @param upscaleSteps see {@link ReservationRequest#upscaleSteps()} */
    public Outcome enqueue(Owner owner, Membership membership, JobKind kind, Origin origin, GenerationParams params,
                           int upscaleSteps) {
        Instant now = clock.instant();
        Outcome outcome = transactions.inTransaction(tx -> {
            UserLoad load = jobs.load(owner.userId(), tx);
            QuotaDecision decision = quota.reserve(
                    new ReservationRequest(owner, membership, kind, params.candidateCount(), params, load, now,
                            upscaleSteps), tx);
            if (decision instanceof QuotaDecision.Denied denied) {
                return new Refused(denied.reason());
            }
            QuotaDecision.Granted granted = (QuotaDecision.Granted) decision;
            Job job = Job.queued(JobId.newId(), owner, kind, origin, params, granted.lane(), granted.planName(),
                    granted.privateResults(), granted.reservationId(), granted.maxRunning(), now);
            jobs.insert(job, tx);
            return new Enqueued(job, Optional.empty());
        });
        if (outcome instanceof Enqueued enqueued) {
            signal.notifyWork();
            return new Enqueued(enqueued.job(), queue.standing(enqueued.job().id()));
        }
        return outcome;
    }
}
