package dev.easel.adapter.metrics;

import com.sun.net.httpserver.HttpExchange;
import dev.easel.adapter.web.LocalHttpServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /healthz} (JSON, 200 or 503) and {@code GET /metrics} (Prometheus text) on the local HTTP server. */
public final class ObservabilityRoutes {
    private ObservabilityRoutes() {
    }

    public static void register(LocalHttpServer server, MetricsRegistry registry, HealthCheck health) {
        server.route("/healthz", exchange -> {
            if (refused(exchange, "/healthz")) {
                return;
            }
            HealthCheck.Report r = health.check();
            LocalHttpServer.send(exchange, r.httpStatus(), "application/json; charset=utf-8",
                    body(exchange, r.json()));
        });
        server.route("/metrics", exchange -> {
            if (refused(exchange, "/metrics")) {
                return;
            }
            LocalHttpServer.send(exchange, 200, MetricsRegistry.CONTENT_TYPE, body(exchange, registry.scrape()));
        });
    }

    /** HEAD answers the headers of GET with no body (the length is not announced then). */
    private static byte[] body(HttpExchange exchange, String text) {
        return exchange.getRequestMethod().equals("HEAD") ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean refused(HttpExchange exchange, String path) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            LocalHttpServer.sendText(exchange, 404, "not found: " + exchange.getRequestURI().getPath());
            return true;
        }
        String m = exchange.getRequestMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            LocalHttpServer.sendText(exchange, 405, path + " answers GET and HEAD only");
            return true;
        }
        return false;
    }
}
