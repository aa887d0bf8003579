package dev.easel.adapter.discord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Edits of one status message per key (a job), throttled and coalesced: at most one edit every {@code interval}
 * and never two at once; while one is in flight or waiting for its slot, a newer edit replaces the waiting one, so
 * only the latest state is sent. Once a final edit is offered, later non-final ones are dropped (a progress report
 * racing the result cannot overwrite "done"), and the key is forgotten after the final edit was sent.
 */
final class StatusBoard {
    private static final Logger log = LoggerFactory.getLogger(StatusBoard.class);

    private final ScheduledExecutorService timer;
    private final long intervalNanos;
    private final Map<Object, Slot> slots = new ConcurrentHashMap<>();
    /** Keys whose final edit was sent, remembered a while so that a straggling edit cannot follow it. */
    private final Map<Object, Boolean> finished = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
                    return size() > FINISHED_CAPACITY;
                }
            });
    private static final int FINISHED_CAPACITY = 10_000;

    /** An offered edit and the promise of its outcome. */
    private record Edit(Supplier<CompletableFuture<?>> send, boolean isFinal, CompletableFuture<Boolean> outcome) {
    }

    private static final class Slot {
        Edit waiting;
        boolean finalOffered;
        boolean inFlight;
        boolean scheduled;
        long lastSentNanos;
        boolean sentBefore;
    }

    StatusBoard(ScheduledExecutorService timer, Duration interval) {
        this.timer = timer;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Offers an edit. {@code send} starts the request and returns its completion; it runs on the timer thread, so
     * it must not block.
     *
     * @return completes with true when this edit was sent, false when a newer edit replaced it (or it came after a
     *         final one); exceptionally when sending failed
     */
    CompletableFuture<Boolean> offer(Object key, Supplier<CompletableFuture<?>> send, boolean isFinal) {
        Edit edit = new Edit(send, isFinal, new CompletableFuture<>());
        if (finished.containsKey(key)) {
            edit.outcome().complete(false);
            return edit.outcome();
        }
        Slot slot = slots.computeIfAbsent(key, k -> new Slot());
        synchronized (slot) {
            if (slot.finalOffered && !isFinal) {
                edit.outcome().complete(false);
                return edit.outcome();
            }
            if (slot.waiting != null) {
                slot.waiting.outcome().complete(false);
            }
            slot.waiting = edit;
            slot.finalOffered |= isFinal;
            if (!slot.inFlight && !slot.scheduled) {
                schedule(key, slot);
            }
        }
        return edit.outcome();
    }

    /** Records an edit of the key's message made outside the board, so that the next one keeps the interval. */
    void markSent(Object key) {
        Slot slot = slots.computeIfAbsent(key, k -> new Slot());
        synchronized (slot) {
            slot.sentBefore = true;
            slot.lastSentNanos = System.nanoTime();
        }
    }

    /** Forgets the key unless an edit is waiting or in flight (it is forgotten after its final edit then). */
    void forgetIfIdle(Object key) {
        Slot slot = slots.get(key);
        if (slot != null) {
            synchronized (slot) {
                if (!slot.inFlight && !slot.scheduled) {
                    slots.remove(key, slot);
                }
            }
        }
    }

    /** Number of keys remembered (for tests). */
    int size() {
        return slots.size();
    }

    /** Caller holds the slot's lock. */
    private void schedule(Object key, Slot slot) {
        long delay = !slot.sentBefore ? 0 : Math.max(0, slot.lastSentNanos + intervalNanos - System.nanoTime());
        slot.scheduled = true;
        try {
            timer.schedule(() -> fire(key, slot), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            slot.scheduled = false; // shutting down
            if (slot.waiting != null) {
                slot.waiting.outcome().completeExceptionally(e);
                slot.waiting = null;
            }
        }
    }

    private void fire(Object key, Slot slot) {
        Edit edit;
        synchronized (slot) {
            slot.scheduled = false;
            edit = slot.waiting;
            slot.waiting = null;
            if (edit == null) {
                return;
            }
            slot.inFlight = true;
            slot.sentBefore = true;
            slot.lastSentNanos = System.nanoTime();
        }
        CompletableFuture<?> done;
        try {
            done = edit.send().get();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ok, error) -> {
            if (error != null) {
                log.debug("status edit for {} failed: {}", key, error.toString());
                edit.outcome().completeExceptionally(error);
            } else {
                edit.outcome().complete(true);
            }
            synchronized (slot) {
                slot.inFlight = false;
                if (slot.waiting != null) {
                    schedule(key, slot);
                } else if (edit.isFinal()) {
                    finished.put(key, Boolean.TRUE);
                    slots.remove(key, slot);
                }
            }
        });
    }
}
