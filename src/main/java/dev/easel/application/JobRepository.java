package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Stored jobs. Every method runs inside the caller's transaction. */
public interface JobRepository {

    void insert(Job job, Tx tx);

    Optional<Job> find(JobId id, Tx tx);

    /** A user's jobs, newest first. */
    List<Job> findByOwner(String userId, int limit, Tx tx);

    UserLoad load(String userId, Tx tx);

    /**
     * The newest jobs that ended with {@code status}, by finish time, newest first.
     *
     * @param publicOnly leave out private results
     * @param guildId    only jobs from this guild; null for every guild
     */
    List<Job> findFinished(JobStatus status, boolean publicOnly, String guildId, int limit, Tx tx);

    /** Users who have jobs in the guild, the one with the latest job first. */
    List<String> owners(String guildId, int limit, Tx tx);

    /**
     * Waiting jobs for the dispatcher: at most {@code window} of them, taken in the order lane, then the job's
     * rank within its owner's jobs in that lane, then age — so every user's first job is in the window before
     * anyone's second. Also all running jobs and each listed user's latest start time.
     */
    QueueSnapshot snapshot(int window, Tx tx);

    /**
     * Atomically starts a waiting job for {@code workerId}: empty when another worker got it first, it is no
     * longer QUEUED, or its owner already has {@link Job#maxRunning()} jobs running. Safe with several workers
     * (processes) on one database.
     */
    Optional<Job> claim(JobId id, String workerId, Instant now, Tx tx);

    /**
     * Compare-and-set: stores {@code after}'s state if the stored job still has {@code before}'s status, worker
     * and attempt count. False when someone else changed it first (then nothing is written).
     */
    boolean transition(Job before, Job after, Tx tx);

    /** Remembers how long the job's generation took (for ETAs). */
    void recordRunTime(JobId id, long runMillis, Tx tx);

    /** Sets the stop flag of a RUNNING job; false when it is not running. */
    boolean requestCancel(JobId id, Tx tx);

    /** Which of these jobs have their stop flag set. */
    Set<JobId> cancelRequested(Collection<JobId> ids, Tx tx);

    /** Marks the worker's running jobs alive. */
    void heartbeat(Collection<JobId> ids, String workerId, Instant now, Tx tx);

    /** RUNNING jobs that nobody runs: held by {@code workerId} (restarted) or not heartbeated since the cutoff. */
    List<Job> findOrphans(String workerId, Instant heartbeatBefore, Tx tx);

    /** Run times of the latest finished jobs, newest first. */
    List<RunSample> recentRuns(int limit, Tx tx);

    /** Distinct workers that heartbeated or finished a job since {@code since}. */
    int activeWorkers(Instant since, Tx tx);
}
