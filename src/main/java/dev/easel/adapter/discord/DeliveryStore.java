package dev.easel.adapter.discord;

import dev.easel.domain.job.JobId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where the bot keeps its {@link Delivery} records (the database in production, so restarts lose none). */
public interface DeliveryStore {

    /** Inserts a new delivery; a delivery for the same job is replaced. */
    void save(Delivery delivery);

    Optional<Delivery> find(JobId jobId);

    /** Replaces the stored delivery of the same job (state changes). */
    void update(Delivery delivery);

    /**
     * Pending deliveries due at {@code now}, oldest first, at most {@code limit}. A store that can see the jobs
     * returns only those whose job has finished; others may return deliveries of running jobs too (the caller
     * checks the job).
     */
    List<Delivery> due(Instant now, int limit);
}
