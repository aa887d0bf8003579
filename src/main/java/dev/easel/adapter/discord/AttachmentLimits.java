package dev.easel.adapter.discord;

import net.dv8tion.jda.api.events.RawGatewayEvent;
import net.dv8tion.jda.api.utils.data.DataObject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The upload limit of each interaction. Discord reports it as {@code attachment_size_limit} in INTERACTION_CREATE
 * (it depends on the server's boost level), but JDA does not parse that field, so it is read from the raw gateway
 * event (JDA built with raw events enabled). JDA fires the raw event right after the parsed one, on the same
 * thread, so a handler running on another thread waits briefly for it; without it, the default applies.
 */
final class AttachmentLimits {
    /** Interactions remembered at most (those nobody asks about are dropped oldest first). */
    private static final int CAPACITY = 1_000;

    private final long fallback;
    private final Map<Long, CompletableFuture<Long>> byInteraction = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, CompletableFuture<Long>> eldest) {
            return size() > CAPACITY;
        }
    };

    AttachmentLimits(long fallback) {
        this.fallback = fallback;
    }

    void onRawEvent(RawGatewayEvent event) {
        if (!"INTERACTION_CREATE".equals(event.getType())) {
            return;
        }
        DataObject d = event.getPayload();
        long id = d.getUnsignedLong("id", 0L);
        if (id == 0L) {
            return;
        }
        long limit = d.getLong("attachment_size_limit", fallback);
        future(id).complete(limit > 0 ? limit : fallback);
    }

    /** The interaction's limit, waiting up to {@code wait} for its raw event; the default if it does not come. */
    long await(long interactionId, Duration wait) {
        CompletableFuture<Long> f = future(interactionId);
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        } finally {
            synchronized (byInteraction) {
                byInteraction.remove(interactionId);
            }
        }
    }

    private CompletableFuture<Long> future(long id) {
        synchronized (byInteraction) {
            return byInteraction.computeIfAbsent(id, k -> new CompletableFuture<>());
        }
    }
}
