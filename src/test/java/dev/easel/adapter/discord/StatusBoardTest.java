package dev.easel.adapter.discord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusBoardTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> sent = new ArrayList<>();
    private final List<Long> sentAt = new ArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private java.util.function.Supplier<CompletableFuture<?>> edit(String text) {
        return () -> {
            synchronized (sent) {
                sent.add(text);
                sentAt.add(System.nanoTime());
            }
            return CompletableFuture.completedFuture(null);
        };
    }

    @Test
    void editsAreSpacedByTheIntervalAndOnlyTheLatestWaitingOneIsSent() throws Exception {
        StatusBoard board = new StatusBoard(timer, Duration.ofMillis(200));
        // when: five progress edits come at once, then a final one
        CompletableFuture<Boolean> first = board.offer("job", edit("10%"), false);
        first.get(1, TimeUnit.SECONDS);
        List<CompletableFuture<Boolean>> middle = new ArrayList<>();
        for (String p : List.of("20%", "30%", "40%", "50%")) {
            middle.add(board.offer("job", edit(p), false));
        }
        CompletableFuture<Boolean> done = board.offer("job", edit("done"), true);

        // then: the first went at once, the middle ones were replaced, the final one went one interval later
        assertTrue(done.get(2, TimeUnit.SECONDS));
        assertEquals(List.of("10%", "done"), sent);
        for (CompletableFuture<Boolean> f : middle) {
            assertFalse(f.get(), "coalesced away");
        }
        long gapMs = (sentAt.get(1) - sentAt.get(0)) / 1_000_000;
        assertTrue(gapMs >= 195, "the final edit waited for the interval: " + gapMs + " ms");
        // and nothing after the final edit is sent; the key is forgotten
        assertFalse(board.offer("job", edit("60%"), false).get(1, TimeUnit.SECONDS));
        assertEquals(2, sent.size());
    }

    @Test
    void anEditWaitsForTheOneInFlightAndKeysAreIndependent() throws Exception {
        StatusBoard board = new StatusBoard(timer, Duration.ZERO);
        CompletableFuture<Object> slowRequest = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch a1Sent = new java.util.concurrent.CountDownLatch(1);
        board.offer("a", () -> {
            synchronized (sent) {
                sent.add("a1");
            }
            a1Sent.countDown();
            return slowRequest;
        }, false);
        assertTrue(a1Sent.await(1, TimeUnit.SECONDS));
        CompletableFuture<Boolean> a2 = board.offer("a", edit("a2"), false);
        CompletableFuture<Boolean> b1 = board.offer("b", edit("b1"), false);

        assertTrue(b1.get(1, TimeUnit.SECONDS), "another message is not held up");
        Thread.sleep(100);
        assertFalse(a2.isDone(), "a2 waits while a1 is in flight");
        slowRequest.complete(null);
        assertTrue(a2.get(1, TimeUnit.SECONDS));
        assertEquals(List.of("a1", "b1", "a2"), sent);
    }

    @Test
    void aFailedEditIsReported() {
        StatusBoard board = new StatusBoard(timer, Duration.ZERO);
        CompletableFuture<Boolean> f = board.offer("x", () -> CompletableFuture.failedFuture(
                new IllegalStateException("401")), true);
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertEquals("401", e.getCause().getMessage());
    }
}
