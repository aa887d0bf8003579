package dev.easel.application;

import dev.easel.domain.job.JobId;
import dev.easel.domain.job.Lane;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FairJobQueueTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final long UNIT = 512L * 512;
    private int counter;

    private QueueSnapshot.Queued q(String user, Lane lane, int second, int maxRunning) {
        String id = String.format("%012d", counter++);
        return new QueueSnapshot.Queued(new JobId(id), user, lane, T0.plusSeconds(second), maxRunning, 4, 10, UNIT,
                null);
    }

    private static List<String> users(List<QueueSnapshot.Queued> order) {
        return order.stream().map(QueueSnapshot.Queued::userId).toList();
    }

    @Test
    void oneUsersBacklogCannotStarveAnother() {
        List<QueueSnapshot.Queued> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(q("alice", Lane.FAST, i, 3));
        }
        queued.add(q("bob", Lane.FAST, 20, 3));
        queued.add(q("carol", Lane.FAST, 30, 3));
        // Alice was served a moment ago (her first jobs ran); Bob and Carol never.
        QueueSnapshot s = new QueueSnapshot(queued, List.of(), Map.of("alice", T0.plusSeconds(40)));
        assertEquals(List.of("bob", "carol", "alice", "alice", "alice"), users(FairJobQueue.order(s)).subList(0, 5));
    }

    @Test
    void roundRobinAlternatesUsersByWhenTheyWereLastServed() {
        List<QueueSnapshot.Queued> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(q("a", Lane.FAST, i, 3));
            queued.add(q("b", Lane.FAST, 10 + i, 3));
            queued.add(q("c", Lane.FAST, 20 + i, 3));
        }
        QueueSnapshot s = new QueueSnapshot(queued, List.of(),
                Map.of("a", T0.plusSeconds(50), "b", T0.plusSeconds(40), "c", T0.plusSeconds(45)));
        assertEquals(List.of("b", "c", "a", "b", "c", "a", "b", "c", "a"), users(FairJobQueue.order(s)));
    }

    @Test
    void eachUsersJobsKeepTheirOrderAndFastLaneGoesFirst() {
        QueueSnapshot.Queued relaxOld = q("r", Lane.RELAX, 0, 1);
        QueueSnapshot.Queued a1 = q("a", Lane.FAST, 5, 1);
        QueueSnapshot.Queued a2 = q("a", Lane.FAST, 6, 1);
        QueueSnapshot.Queued relaxA = q("a", Lane.RELAX, 1, 1);
        QueueSnapshot s = new QueueSnapshot(List.of(a2, relaxA, relaxOld, a1), List.of(), Map.of());
        List<QueueSnapshot.Queued> order = FairJobQueue.order(s);
        assertEquals(List.of(a1, a2), order.subList(0, 2), "fast lane, oldest first");
        assertEquals(List.of(Lane.RELAX, Lane.RELAX), order.subList(2, 4).stream().map(QueueSnapshot.Queued::lane).toList());
        assertEquals(relaxOld, order.get(2), "in the relax lane 'r' was never served, 'a' just was");
    }

    @Test
    void speedIsTheMedianOfRecentRunsPerStepImageAndArea() {
        List<RunSample> runs = List.of(
                new RunSample(4000, 10, 4, UNIT),      // 100 ms per unit step
                new RunSample(16000, 10, 4, 4 * UNIT), // 100
                new RunSample(9000, 10, 1, UNIT),      // 900 (an outlier)
                new RunSample(600, 10, 1, UNIT));      // 60
        assertEquals(100.0, FairJobQueue.millisPerUnitStep(runs, 250), 1e-9);
        assertEquals(250.0, FairJobQueue.millisPerUnitStep(List.of(), 250), 1e-9);
    }

    @Test
    void standingsReplayTheDispatcherWithWorkersAndCaps() {
        // Each job: 10 steps × 4 images × 1 unit × 100 ms = 4 s.
        QueueSnapshot.Queued a1 = q("a", Lane.FAST, 0, 1);
        QueueSnapshot.Queued a2 = q("a", Lane.FAST, 1, 1);
        QueueSnapshot.Queued b1 = q("b", Lane.FAST, 2, 1);
        QueueSnapshot.Running running = new QueueSnapshot.Running(new JobId("zzzzzzzzzzzz"), "a",
                T0.minusSeconds(1), 4, 10, UNIT, "w1");
        QueueSnapshot s = new QueueSnapshot(List.of(a1, a2, b1), List.of(running), Map.of("a", T0.minusSeconds(1)));
        Map<JobId, QueueStanding> st = FairJobQueue.standings(s, 100.0, 2, T0);
        assertEquals(new QueueStanding(0, Duration.ZERO, Duration.ofSeconds(3)), st.get(running.id()),
                "running for 1 s of 4");
        assertEquals(new QueueStanding(1, Duration.ZERO, Duration.ofSeconds(4)), st.get(b1.id()),
                "b starts at once on the free worker");
        assertEquals(new QueueStanding(2, Duration.ofSeconds(3), Duration.ofSeconds(7)), st.get(a1.id()),
                "a has one running (cap 1): waits for it");
        assertEquals(new QueueStanding(3, Duration.ofSeconds(7), Duration.ofSeconds(11)), st.get(a2.id()));
    }

    @Test
    void standingsWithOneWorkerQueueEverythingBehindEachOther() {
        QueueSnapshot.Queued a = q("a", Lane.FAST, 0, 3);
        QueueSnapshot.Queued b = q("b", Lane.FAST, 1, 3);
        QueueSnapshot.Queued c = q("c", Lane.RELAX, 0, 3);
        Map<JobId, QueueStanding> st = FairJobQueue.standings(new QueueSnapshot(List.of(c, b, a), List.of(), Map.of()),
                100.0, 1, T0);
        assertEquals(1, st.get(a.id()).position());
        assertEquals(2, st.get(b.id()).position());
        assertEquals(3, st.get(c.id()).position());
        assertEquals(Duration.ofSeconds(8), st.get(c.id()).untilStart());
        assertEquals(Duration.ofSeconds(12), st.get(c.id()).untilDone());
    }
}
