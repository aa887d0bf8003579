package dev.easel.adapter.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One HTTP request and its answer, with the parsing and writing the web routes share. */
final class WebRequest {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final HttpExchange exchange;
    private final String path;
    private final Map<String, String> query;
    private List<String> params = List.of();
    private byte[] body;

    WebRequest(HttpExchange exchange) {
        this.exchange = exchange;
        URI uri = exchange.getRequestURI();
        this.path = uri.getPath() == null ? "/" : uri.getPath();
        this.query = parseForm(uri.getRawQuery());
    }

    HttpExchange exchange() {
        return exchange;
    }

    String method() {
        return exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    }

    String path() {
        return path;
    }

    void setParams(List<String> values) {
        this.params = List.copyOf(values);
    }

    /** The n-th capture group of the route's pattern. */
    String param(int n) {
        return params.get(n);
    }

    Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty());
    }

    int queryInt(String name, int fallback, int min, int max) {
        Optional<String> v = query(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpError.badRequest(name + " must be a whole number " + min + ".." + max + "; got '" + v.get() + "'");
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    Optional<String> cookie(String name) {
        List<String> headers = exchange.getRequestHeaders().get("Cookie");
        if (headers == null) {
            return Optional.empty();
        }
        for (String header : headers) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
                    return Optional.of(part.substring(eq + 1).strip());
                }
            }
        }
        return Optional.empty();
    }

    /** The bearer token of an {@code Authorization} header. */
    Optional<String> bearer() {
        return header("Authorization").filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).strip());
    }

    String contentType() {
        return header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    }

    byte[] body(long limit) {
        if (body != null) {
            return body;
        }
        try (InputStream in = exchange.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw new HttpError(413, WebText.tooLarge(limit));
                }
                out.write(buf, 0, n);
            }
            body = out.toByteArray();
            return body;
        } catch (IOException e) {
            throw HttpError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    /** The JSON object body; the content type must say JSON (so that plain HTML forms of other sites cannot post). */
    JsonNode json() {
        if (!contentType().startsWith("application/json")) {
            throw new HttpError(415, WebText.JSON_REQUIRED);
        }
        byte[] bytes = body(1024 * 1024);
        try {
            JsonNode node = JSON.readTree(bytes.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : bytes);
            if (node == null || !node.isObject()) {
                throw HttpError.badRequest(WebText.JSON_OBJECT);
            }
            return node;
        } catch (IOException e) {
            throw HttpError.badRequest(WebText.JSON_OBJECT + ": " + e.getMessage());
        }
    }

    /** An application/x-www-form-urlencoded body. */
    Map<String, String> form() {
        if (!contentType().startsWith("application/x-www-form-urlencoded")) {
            throw new HttpError(415, "expected a form (application/x-www-form-urlencoded)");
        }
        return parseForm(new String(body(64 * 1024), StandardCharsets.UTF_8));
    }

    static Map<String, String> parseForm(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed query or form: " + e.getMessage());
            }
        }
        return out;
    }

    // ---- answers ----------------------------------------------------------------------------

    void json(int status, Object value) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IOException("cannot write JSON: " + e.getMessage(), e);
        }
        send(status, "application/json; charset=utf-8", bytes);
    }

    void html(String html) throws IOException {
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'");
        send(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    void redirect(String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        send(303, "text/plain; charset=utf-8", ("see " + location).getBytes(StandardCharsets.UTF_8));
    }

    void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    void send(int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (!exchange.getResponseHeaders().containsKey("Cache-Control")) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
        }
        boolean head = method().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
