package dev.easel.testing.discord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every REST request {@link FakeDiscord} received, in arrival order; safe to read while requests arrive. */
public final class RestLog {
    private final List<RestRequest> requests = new ArrayList<>();
    private final java.util.Map<Long, Integer> statuses = new java.util.HashMap<>();

    private long lastActivity = System.nanoTime();

    synchronized void add(RestRequest r) {
        lastActivity = System.nanoTime();
        requests.add(r);
        notifyAll();
    }

    synchronized void answered(RestRequest r, int status) {
        lastActivity = System.nanoTime();
        statuses.put(r.sequence(), status);
        notifyAll();
    }

    /** The HTTP status the stand-in answered {@code r} with (empty while it is being handled). */
    public synchronized java.util.OptionalInt statusOf(RestRequest r) {
        Integer s = statuses.get(r.sequence());
        return s == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(s);
    }

    /**
     * Waits (at most {@code max}) until every request has been answered and nothing happened for {@code quiet},
     * so that clients are not shut down while reading an answer.
     */
    synchronized void awaitQuiet(Duration quiet, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            long idle = System.nanoTime() - lastActivity;
            if (statuses.size() == requests.size() && idle >= quiet.toNanos()) {
                return;
            }
            try {
                wait(Math.max(1, (quiet.toNanos() - Math.min(idle, quiet.toNanos())) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    synchronized long nextSequence() {
        return requests.size() + 1L;
    }

    /** A snapshot of all requests so far. */
    public synchronized List<RestRequest> all() {
        return List.copyOf(requests);
    }

    public synchronized List<RestRequest> matching(Predicate<? super RestRequest> p) {
        return requests.stream().filter(p).toList();
    }

    /** Requests for {@code method} on the OpenAPI route template {@code route}, e.g. ("POST", "/channels/{channel_id}/messages"). */
    public List<RestRequest> matching(String method, String route) {
        return matching(route(method, route));
    }

    /**
     * The first request (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing what was received
     */
    public RestRequest awaitRequest(Predicate<? super RestRequest> p, Duration timeout) {
        return awaitRequests(p, 1, timeout).get(0);
    }

    /** The first request for {@code method} on route template {@code route}. */
    public RestRequest awaitRequest(String method, String route, Duration timeout) {
        return awaitRequest(route(method, route), timeout);
    }

    /**
     * The first {@code count} matching requests, waiting up to {@code timeout} for them to arrive.
     *
     * @throws AssertionError on timeout, listing what was received
     */
    public synchronized List<RestRequest> awaitRequests(Predicate<? super RestRequest> p, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<RestRequest> found = requests.stream().filter(p).toList();
            if (found.size() >= count) {
                return found.subList(0, count);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " matching REST request(s) within " + timeout
                        + ", got " + found.size() + "; received:\n  "
                        + String.join("\n  ", requests.stream().map(RestRequest::toString).toList()));
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a REST request", e);
            }
        }
    }

    /** Predicate: this method on this OpenAPI route template. */
    public static Predicate<RestRequest> route(String method, String route) {
        return r -> r.is(method, route);
    }

    synchronized List<RestRequest> snapshot() {
        return new ArrayList<>(requests);
    }
}
