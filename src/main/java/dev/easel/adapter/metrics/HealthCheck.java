package dev.easel.adapter.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.application.JobWorker;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@code /healthz} reports: the database answers, this process's workers are alive (their loop or their
 * current generation made progress within the lease timeout, the time after which other workers would take their
 * jobs over), and the Discord gateway is connected.
 *
 * <p>Each check is {@code ok}, {@code degraded} (working on it: the gateway is connecting or resuming),
 * {@code down}, or {@code off} (not part of this process: no local worker, no bot). The answer is 503 when any
 * check is down, 200 otherwise.
 */
public final class HealthCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Throws when the database cannot be used. */
    @FunctionalInterface
    public interface Probe {
        void check() throws Exception;
    }

    /** The health answer: HTTP status and JSON body. */
    public record Report(int httpStatus, String status, String json) {
    }

    private final Probe database;
    private final Supplier<List<JobWorker>> workers;
    private final GatewayStatus gateway;
    private final Clock clock;
    private final Supplier<Integer> recentlyActive;

    /**
     * @param workers this process's workers (empty for a bot-only process)
     * @param gateway the bot's gateway, or null when this process runs no bot
     */
    public HealthCheck(Probe database, Supplier<List<JobWorker>> workers, GatewayStatus gateway, Clock clock) {
        this(database, workers, gateway, clock, null);
    }

    /**
     * @param recentlyActive workers of any process on the shared database that heartbeated or finished a job
     *                       recently (informational: an idle worker does neither), or null
     */
    public HealthCheck(Probe database, Supplier<List<JobWorker>> workers, GatewayStatus gateway, Clock clock,
                       Supplier<Integer> recentlyActive) {
        this.database = database;
        this.workers = workers;
        this.gateway = gateway;
        this.clock = clock;
        this.recentlyActive = recentlyActive;
    }

    /** A probe that borrows a connection and asks the driver whether it is valid (2 s limit). */
    public static Probe database(DataSource dataSource) {
        return () -> {
            try (Connection c = dataSource.getConnection()) {
                if (!c.isValid(2)) {
                    throw new IllegalStateException("the connection did not answer within 2 s");
                }
            }
        };
    }

    public Report check() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode checks = JSON.createObjectNode();
        int worst = 0; // 0 ok/off, 1 degraded, 2 down

        ObjectNode db = checks.putObject("database");
        long t0 = System.nanoTime();
        try {
            database.check();
            db.put("status", "ok");
            db.put("latency_ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            db.put("status", "down");
            db.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            worst = 2;
        }

        ObjectNode wk = checks.putObject("workers");
        List<JobWorker> local = workers.get();
        if (local.isEmpty()) {
            wk.put("status", "off");
        } else {
            Instant now = clock.instant();
            boolean allOk = true;
            ArrayNode list = wk.putArray("local");
            for (JobWorker w : local) {
                Duration idle = Duration.between(w.lastActivity(), now);
                Duration limit = w.settings().leaseTimeout();
                boolean ok = w.isAlive() && idle.compareTo(limit) <= 0;
                ObjectNode n = list.addObject();
                n.put("id", w.id());
                n.put("alive", w.isAlive());
                n.put("busy", w.isBusy());
                n.put("last_activity_seconds_ago", Math.max(0, idle.toMillis()) / 1000.0);
                if (!w.isAlive()) {
                    n.put("problem", "the worker loop has stopped");
                } else if (!ok) {
                    n.put("problem", "no progress for " + idle.toSeconds() + " s (limit " + limit.toSeconds()
                            + " s): the engine may be stuck");
                }
                allOk &= ok;
            }
            wk.put("status", allOk ? "ok" : "down");
            if (!allOk) {
                worst = 2;
            }
        }

        if (recentlyActive != null && db.path("status").asText().equals("ok")) {
            try {
                wk.put("active_recently", recentlyActive.get());
            } catch (RuntimeException e) {
                wk.put("active_recently_error", String.valueOf(e.getMessage()));
            }
        }

        ObjectNode dc = checks.putObject("discord");
        if (gateway == null) {
            dc.put("status", "off");
        } else {
            GatewayStatus.State state;
            String detail;
            try {
                state = gateway.state();
                detail = gateway.detail();
            } catch (RuntimeException e) {
                state = GatewayStatus.State.FAILED;
                detail = "state unavailable: " + e.getMessage();
            }
            String status = switch (state) {
                case CONNECTED -> "ok";
                case CONNECTING, RECONNECTING -> "degraded";
                case DISCONNECTED, FAILED -> "down";
            };
            dc.put("status", status);
            dc.put("gateway", state.name());
            if (detail != null && !detail.isEmpty()) {
                dc.put("detail", detail);
            }
            worst = Math.max(worst, status.equals("down") ? 2 : status.equals("degraded") ? 1 : 0);
        }

        String overall = worst == 2 ? "down" : worst == 1 ? "degraded" : "ok";
        body.put("status", overall);
        body.put("time", clock.instant().toString());
        body.set("checks", checks);
        return new Report(worst == 2 ? 503 : 200, overall, body.toString());
    }
}
