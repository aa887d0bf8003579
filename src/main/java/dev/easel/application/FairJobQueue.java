package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.Lane;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.IntBinaryOperator;

/**
 * The order in which waiting jobs start, and the claiming of the next ones by a worker.
 *
 * <p>Policy: every FAST job before any RELAX job; inside a lane, round-robin across users: the user whose last
 * job started longest ago (never: first) goes next, with their oldest job, so one user's ten jobs cannot starve
 * another's one. A user with {@link Job#maxRunning()} jobs running is skipped until one ends.
 *
 * <p>Positions and ETAs replay this policy over the current queue with the measured speed: a job's duration is
 * {@code ms/step/512²-image × steps × images × pixels/512²}, where ms/step/512²-image is the median over the
 * latest finished jobs, and {@code activeWorkers} jobs run at once.
 */
public final class FairJobQueue {
    private static final double UNIT_PIXELS = 512.0 * 512.0;

    private final JobRepository jobs;
    private final TransactionRunner transactions;
    private final Clock clock;
    private final QueueSettings settings;
    /** Workers of this process pick one after another, each from a fresh view of the queue. */
    private final Object claimLock = new Object();

    public FairJobQueue(JobRepository jobs, TransactionRunner transactions, Clock clock, QueueSettings settings) {
        this.jobs = jobs;
        this.transactions = transactions;
        this.clock = clock;
        this.settings = settings;
    }

    public QueueSettings settings() {
        return settings;
    }

    /**
     * The round-robin start order of the waiting jobs, ignoring running caps. Pure: depends only on the snapshot.
     */
    public static List<QueueSnapshot.Queued> order(QueueSnapshot snapshot) {
        // Per user, per lane: FIFO of their jobs by age.
        Map<Lane, Map<String, Deque<QueueSnapshot.Queued>>> byLane = new LinkedHashMap<>();
        List<QueueSnapshot.Queued> sorted = new ArrayList<>(snapshot.queued());
        sorted.sort(Comparator.comparing(QueueSnapshot.Queued::createdAt).thenComparing(q -> q.id().value()));
        for (QueueSnapshot.Queued q : sorted) {
            byLane.computeIfAbsent(q.lane(), l -> new LinkedHashMap<>())
                    .computeIfAbsent(q.userId(), u -> new ArrayDeque<>()).add(q);
        }
        // A user's turn key: when they were last served. Real start times first, then virtual ticks for the
        // turns handed out in this replay (all later than any real time).
        Map<String, Long> turn = new HashMap<>();
        snapshot.lastServed().forEach((user, at) -> turn.put(user, at.toEpochMilli()));
        long tick = Long.MAX_VALUE / 2;
        List<QueueSnapshot.Queued> out = new ArrayList<>(sorted.size());
        for (Lane lane : Lane.values()) {
            Map<String, Deque<QueueSnapshot.Queued>> users = byLane.getOrDefault(lane, Map.of());
            PriorityQueue<String> next = new PriorityQueue<>(Comparator
                    .comparingLong((String u) -> turn.getOrDefault(u, Long.MIN_VALUE))
                    .thenComparing(u -> users.get(u).peekFirst().createdAt())
                    .thenComparing(u -> u));
            next.addAll(users.keySet());
            while (!next.isEmpty()) {
                String user = next.poll();
                Deque<QueueSnapshot.Queued> fifo = users.get(user);
                out.add(fifo.pollFirst());
                turn.put(user, tick++);
                if (!fifo.isEmpty()) {
                    next.add(user);
                }
            }
        }
        return out;
    }

    /**
     * Claims the next job for {@code workerId} and, when it is text to image, compatible waiting jobs among the
     * next {@code lookahead} in line, as long as the images fit {@code maxImages.applyAsInt(width, height)}.
     * Each claim is its own transaction. Empty when nothing can start.
     *
     * <p>Workers of one process take turns here, so each decides on a view that includes the others' claims;
     * workers in other processes may decide on a view a few milliseconds old, which can reorder jobs near a turn
     * boundary but never runs a job twice (the claim itself is atomic).
     */
    public List<Job> claimNext(String workerId, IntBinaryOperator maxImages, int lookahead) {
        synchronized (claimLock) {
            return claimNextLocked(workerId, maxImages, lookahead);
        }
    }

    private List<Job> claimNextLocked(String workerId, IntBinaryOperator maxImages, int lookahead) {
        QueueSnapshot snapshot = transactions.inTransaction(tx -> jobs.snapshot(settings.claimWindow(), tx));
        List<QueueSnapshot.Queued> order = order(snapshot);
        Map<String, Integer> running = new HashMap<>();
        snapshot.running().forEach(r -> running.merge(r.userId(), 1, Integer::sum));

        int headIndex = -1;
        Job head = null;
        for (int i = 0; i < order.size() && head == null; i++) {
            QueueSnapshot.Queued q = order.get(i);
            if (running.getOrDefault(q.userId(), 0) >= q.maxRunning()) {
                continue;
            }
            head = tryClaim(q, workerId).orElse(null);
            headIndex = i;
        }
        if (head == null) {
            return List.of();
        }
        running.merge(head.owner().userId(), 1, Integer::sum);
        List<Job> batch = new ArrayList<>(List.of(head));
        QueueSnapshot.Queued headEntry = order.get(headIndex);
        if (headEntry.batchKey() == null) {
            return batch;
        }
        int limit = maxImages.applyAsInt(head.params().width(), head.params().height());
        int images = head.imageCount();
        for (int i = headIndex + 1; i < order.size() && i <= headIndex + lookahead && images < limit; i++) {
            QueueSnapshot.Queued q = order.get(i);
            if (!headEntry.batchKey().equals(q.batchKey()) || images + q.imageCount() > limit
                    || running.getOrDefault(q.userId(), 0) >= q.maxRunning()) {
                continue;
            }
            Optional<Job> claimed = tryClaim(q, workerId);
            if (claimed.isPresent()) {
                batch.add(claimed.get());
                images += q.imageCount();
                running.merge(q.userId(), 1, Integer::sum);
            }
        }
        return batch;
    }

    private Optional<Job> tryClaim(QueueSnapshot.Queued q, String workerId) {
        return transactions.inTransaction(tx -> jobs.claim(q.id(), workerId, clock.instant(), tx));
    }

    /** Position and ETA of every waiting (within the standings window) and running job. */
    public Map<JobId, QueueStanding> standings() {
        Instant now = clock.instant();
        record View(QueueSnapshot snapshot, List<RunSample> runs, int workers) {
        }
        View view = transactions.inTransaction(tx -> new View(jobs.snapshot(settings.standingsWindow(), tx),
                jobs.recentRuns(settings.etaHistory(), tx),
                jobs.activeWorkers(now.minus(settings.workerActivity()), tx)));
        return standings(view.snapshot(), millisPerUnitStep(view.runs(), settings.defaultMillisPerStep()),
                view.workers(), now);
    }

    public Optional<QueueStanding> standing(JobId id) {
        return Optional.ofNullable(standings().get(id));
    }

    /**
     * Median time of one step of one 512×512 image over the samples, or the fallback when there are none.
     */
    public static double millisPerUnitStep(List<RunSample> runs, double fallback) {
        double[] rates = runs.stream().filter(r -> r.steps() > 0 && r.imageCount() > 0 && r.pixels() > 0)
                .mapToDouble(r -> r.runMillis() / (r.steps() * (double) r.imageCount() * (r.pixels() / UNIT_PIXELS)))
                .sorted().toArray();
        if (rates.length == 0) {
            return fallback;
        }
        int mid = rates.length / 2;
        return rates.length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
    }

    /**
     * Replays the dispatcher: {@code workers} slots, running jobs first (their remaining time), then the fair
     * order, each job going to the earliest free slot once its owner is under their running cap.
     */
    public static Map<JobId, QueueStanding> standings(QueueSnapshot snapshot, double msPerUnitStep, int workers,
                                                      Instant now) {
        Map<JobId, QueueStanding> out = new LinkedHashMap<>();
        int slots = Math.max(Math.max(1, workers), snapshot.running().size());
        PriorityQueue<Long> free = new PriorityQueue<>(); // times (ms from now) when a slot frees up
        Map<String, List<Long>> inFlight = new HashMap<>(); // user → end times of their started jobs
        for (QueueSnapshot.Running r : snapshot.running()) {
            long duration = duration(msPerUnitStep, r.steps(), r.imageCount(), r.pixels());
            long elapsed = Math.max(0, Duration.between(r.startedAt(), now).toMillis());
            long end = Math.max(0, duration - elapsed);
            free.add(end);
            inFlight.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(end);
            out.put(r.id(), new QueueStanding(0, Duration.ZERO, Duration.ofMillis(end)));
        }
        while (free.size() < slots) {
            free.add(0L);
        }
        LinkedList<QueueSnapshot.Queued> pending = new LinkedList<>(order(snapshot));
        int position = 1;
        while (!pending.isEmpty()) {
            long t = free.poll();
            QueueSnapshot.Queued pick = null;
            long nextUserSlot = Long.MAX_VALUE;
            for (var it = pending.iterator(); it.hasNext(); ) {
                QueueSnapshot.Queued q = it.next();
                List<Long> ends = inFlight.getOrDefault(q.userId(), List.of());
                long busy = ends.stream().filter(e -> e > t).count();
                if (busy < q.maxRunning()) {
                    pick = q;
                    it.remove();
                    break;
                }
                nextUserSlot = Math.min(nextUserSlot, ends.stream().filter(e -> e > t).min(Long::compare).orElse(t));
            }
            if (pick == null) {
                free.add(nextUserSlot); // every waiting user is at their cap: the slot idles until one frees
                continue;
            }
            long end = t + duration(msPerUnitStep, pick.steps(), pick.imageCount(), pick.pixels());
            free.add(end);
            inFlight.computeIfAbsent(pick.userId(), u -> new ArrayList<>()).add(end);
            out.put(pick.id(), new QueueStanding(position++, Duration.ofMillis(t), Duration.ofMillis(end)));
        }
        return out;
    }

    private static long duration(double msPerUnitStep, int steps, int images, long pixels) {
        return Math.round(msPerUnitStep * steps * images * (pixels / UNIT_PIXELS));
    }
}
