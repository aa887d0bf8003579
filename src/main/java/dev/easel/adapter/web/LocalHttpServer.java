package dev.easel.adapter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The one local HTTP server of an Easel process (JDK's built-in server, no framework): the web
 * console, the HTTP API, {@code /healthz} and {@code /metrics} register their routes here.
 * Binds 127.0.0.1:8080 by default; port 0 picks a free port (tests).
 */
public final class LocalHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalHttpServer.class);
    private final HttpServer server;
    private final ExecutorService executor;

    public LocalHttpServer(String bind, int port) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
    }

    /** Routes every request whose path starts with {@code prefix} to {@code handler}; errors become a 500 with a short text. */
    public LocalHttpServer route(String prefix, HttpHandler handler) {
        server.createContext(prefix, exchange -> {
            try {
                handler.handle(exchange);
            } catch (RuntimeException | IOException e) {
                log.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
                try {
                    sendText(exchange, 500, "internal error: " + e.getClass().getSimpleName());
                } catch (IOException | RuntimeException ignored) {
                    // the response was already started; nothing more to say
                }
            } finally {
                exchange.close();
            }
        });
        return this;
    }

    public void start() {
        server.start();
        log.info("local HTTP server on http://{}:{}/", server.getAddress().getHostString(), port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    public static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
