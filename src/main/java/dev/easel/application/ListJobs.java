package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A user's latest jobs, newest first, with the queue standing of those waiting or running. */
public final class ListJobs {

    public record Entry(Job job, Optional<QueueStanding> standing) {
    }

    private final JobRepository jobs;
    private final TransactionRunner transactions;
    private final FairJobQueue queue;

    public ListJobs(JobRepository jobs, TransactionRunner transactions, FairJobQueue queue) {
        this.jobs = jobs;
        this.transactions = transactions;
        this.queue = queue;
    }

    /** One job with its standing (when waiting or running), whoever owns it; the caller checks access. */
    public Optional<Entry> get(JobId id) {
        Optional<Job> found = transactions.inTransaction(tx -> jobs.find(id, tx));
        return found.map(j -> new Entry(j, j.status().isActive() ? queue.standing(j.id()) : Optional.empty()));
    }

    public List<Entry> list(String userId, int limit) {
        List<Job> mine = transactions.inTransaction(tx -> jobs.findByOwner(userId, limit, tx));
        boolean anyActive = mine.stream().anyMatch(j -> j.status().isActive());
        Map<JobId, QueueStanding> standings = anyActive ? queue.standings() : Map.of();
        return mine.stream().map(j -> new Entry(j, Optional.ofNullable(standings.get(j.id())))).toList();
    }
}
