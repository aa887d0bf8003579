package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only views across users: the public gallery, recent failures, the queue as an operator sees it, and who
 * has jobs in a guild. Private results never appear in {@link #gallery}.
 */
public final class BrowseJobs {

    /** A waiting or running job with its standing (position 0 = running). */
    public record Placed(Job job, QueueStanding standing) {
    }

    /**
     * The queue: running jobs, then waiting ones in start order (every FAST job before any RELAX one).
     *
     * @param waitingTotal waiting jobs within the standings window (the list may be cut at the limit)
     */
    public record QueueView(List<Placed> running, List<Placed> waiting, int waitingTotal) {
        public QueueView {
            running = List.copyOf(running);
            waiting = List.copyOf(waiting);
        }
    }

    private final JobRepository jobs;
    private final TransactionRunner transactions;
    private final FairJobQueue queue;

    public BrowseJobs(JobRepository jobs, TransactionRunner transactions, FairJobQueue queue) {
        this.jobs = jobs;
        this.transactions = transactions;
        this.queue = queue;
    }

    /**
     * Recent public results, newest first.
     *
     * @param guildId only this guild's; null for every guild
     */
    public List<Job> gallery(String guildId, int limit) {
        checkLimit(limit);
        return transactions.inTransaction(tx -> jobs.findFinished(JobStatus.DONE, true, guildId, limit, tx));
    }

    /** Recent failures of every user, newest first (with their reasons). */
    public List<Job> failures(int limit) {
        checkLimit(limit);
        return transactions.inTransaction(tx -> jobs.findFinished(JobStatus.FAILED, false, null, limit, tx));
    }

    /** Running jobs and the first {@code limit} waiting ones, with positions and ETAs. */
    public QueueView queue(int limit) {
        checkLimit(limit);
        Map<JobId, QueueStanding> standings = queue.standings();
        List<Map.Entry<JobId, QueueStanding>> ordered = new ArrayList<>(standings.entrySet());
        ordered.sort(Comparator.comparingInt(e -> e.getValue().position()));
        int waitingTotal = (int) ordered.stream().filter(e -> !e.getValue().running()).count();
        List<Map.Entry<JobId, QueueStanding>> shown = ordered.stream()
                .filter(e -> e.getValue().running()).toList();
        List<Map.Entry<JobId, QueueStanding>> waiting = ordered.stream()
                .filter(e -> !e.getValue().running()).limit(limit).toList();
        List<Placed> running = new ArrayList<>();
        List<Placed> queued = new ArrayList<>();
        transactions.run(tx -> {
            for (Map.Entry<JobId, QueueStanding> e : shown) {
                find(e.getKey(), tx).ifPresent(j -> running.add(new Placed(j, e.getValue())));
            }
            for (Map.Entry<JobId, QueueStanding> e : waiting) {
                find(e.getKey(), tx).filter(j -> j.status() == JobStatus.QUEUED)
                        .ifPresent(j -> queued.add(new Placed(j, e.getValue())));
            }
        });
        return new QueueView(running, queued, waitingTotal);
    }

    /** Users with jobs in the guild, the most recently active first. */
    public List<String> owners(String guildId, int limit) {
        checkLimit(limit);
        return transactions.inTransaction(tx -> jobs.owners(guildId, limit, tx));
    }

    private Optional<Job> find(JobId id, Tx tx) {
        return jobs.find(id, tx);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1..1000; got " + limit);
        }
    }
}
