package dev.easel.adapter.discord;

import dev.easel.domain.job.JobId;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Deliveries in memory (tests, and bots without a database). */
public final class InMemoryDeliveryStore implements DeliveryStore {
    private final Map<JobId, Delivery> deliveries = new ConcurrentHashMap<>();

    @Override
    public void save(Delivery delivery) {
        deliveries.put(delivery.jobId(), delivery);
    }

    @Override
    public Optional<Delivery> find(JobId jobId) {
        return Optional.ofNullable(deliveries.get(jobId));
    }

    @Override
    public void update(Delivery delivery) {
        deliveries.put(delivery.jobId(), delivery);
    }

    @Override
    public List<Delivery> due(Instant now, int limit) {
        return deliveries.values().stream()
                .filter(d -> d.state() == Delivery.State.PENDING && !d.nextAttemptAt().isAfter(now))
                .sorted(Comparator.comparing(Delivery::tokenCreatedAt)).limit(limit).toList();
    }
}
