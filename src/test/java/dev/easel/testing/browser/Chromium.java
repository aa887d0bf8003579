package dev.easel.testing.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Headless Chromium driven over the DevTools protocol (JSON over the JDK's WebSocket client; no driver, no extra
 * library). One browser process per instance, with a fresh profile directory, one page attached as a flat
 * session. {@link #require()} skips the calling test when Chromium is not installed, unless CI=true (then the test
 * fails, so CI cannot pass without running the browser tests).
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            "--remote-debugging-port=0", "--remote-allow-origins=*");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String session;

    /** The Chromium binary: $CHROMIUM, else chromium / chromium-browser / google-chrome on the PATH. */
    public static Optional<Path> binary() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The binary, or the test is skipped (fails with CI=true) with a message saying how to install it. */
    public static Path require() {
        Optional<Path> bin = binary();
        String hint = "Chromium is not installed (apt-get install -y chromium, or set CHROMIUM=/path/to/chrome)";
        if (bin.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(hint + "; CI=true, so the browser tests must run");
        }
        Assumptions.assumeTrue(bin.isPresent(), hint + "; skipping the browser test");
        return bin.get();
    }

    /** Starts a headless browser with a fresh profile and opens a blank page of width × height CSS pixels. */
    public static Chromium start(int width, int height) throws IOException {
        return new Chromium(require(), width, height);
    }

    private Chromium(Path binary, int width, int height) throws IOException {
        profile = Files.createTempDirectory("easel-chromium-");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(FLAGS);
        cmd.add("--user-data-dir=" + profile);
        cmd.add("--window-size=" + width + "," + height);
        cmd.add("about:blank");
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            String[] active = awaitActivePort(Duration.ofSeconds(20));
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + active[0] + active[1]), new Listener())
                    .get(10, TimeUnit.SECONDS);
            String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
            session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                    .get("sessionId").asText();
            call("Page.enable", Map.of());
            call("Runtime.enable", Map.of());
            call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                    "deviceScaleFactor", 1, "mobile", false));
        } catch (IOException | RuntimeException | AssertionError e) {
            close();
            throw e;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new IOException("cannot connect to Chromium's DevTools: " + e, e);
        }
    }

    /** Chromium writes "port\n/devtools/browser/<id>" to DevToolsActivePort in the profile once it listens. */
    private String[] awaitActivePort(Duration timeout) throws IOException {
        Path file = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() >= 2 && !lines.get(1).isBlank()) {
                    return new String[] {lines.get(0).strip(), lines.get(1).strip()};
                }
            }
            if (!process.isAlive()) {
                throw new IOException("Chromium exited with " + process.exitValue() + ": " + log());
            }
            sleep(50);
        }
        throw new IOException("Chromium did not open its DevTools port within " + timeout.toSeconds() + " s: " + log());
    }

    private String log() {
        try {
            String text = Files.readString(profile.resolve("chromium.log"));
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode msg = JSON.readTree(text);
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            if (msg.has("error")) {
                                f.completeExceptionally(new IllegalStateException("DevTools error: " + msg.get("error")));
                            } else {
                                f.complete(msg.path("result"));
                            }
                        }
                    }
                } catch (IOException e) {
                    // not JSON: ignore
                }
            }
            ws.request(1);
            return null;
        }
    }

    private JsonNode call(String sessionId, String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " failed: " + e.getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    /** A DevTools command on the page. */
    public JsonNode call(String method, Map<String, ?> params) {
        return call(session, method, params);
    }

    /** Opens the URL and waits until the document has loaded. */
    public void open(String url) {
        call("Page.navigate", Map.of("url", url));
        await("document loaded", "document.readyState === 'complete' && location.href === " + JSON.valueToTree(url),
                Duration.ofSeconds(15));
    }

    /** Evaluates a JavaScript expression in the page (promises are awaited) and returns its JSON value. */
    public JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + r.get("exceptionDetails").path("exception")
                    .path("description").asText(r.get("exceptionDetails").toString()) + "\n  in: " + expression);
        }
        return r.path("result").path("value");
    }

    /** Waits until the expression is truthy; fails naming {@code what} and the page's text. */
    public void await(String what, String expression, Duration timeout) {
        awaitTrue(what, () -> eval("!!(" + expression + ")").asBoolean(), timeout);
    }

    private void awaitTrue(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            sleep(100);
        }
        String text;
        try {
            text = eval("document.body ? document.body.innerText.slice(0, 1500) : ''").asText();
        } catch (RuntimeException e) {
            text = "(page text unavailable: " + e.getMessage() + ")";
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + "; page text:\n" + text);
    }

    /** Clicks the centre of the first element matching the CSS selector with real mouse events. */
    public void click(String selector) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + JSON.valueToTree(selector) + ");"
                + " if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
        if (box == null || box.isNull() || box.isMissingNode()) {
            throw new AssertionError("nothing matches " + selector + " to click");
        }
        double x = box.get("x").asDouble();
        double y = box.get("y").asDouble();
        call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
        call("Input.dispatchMouseEvent", Map.of("type", "mousePressed", "x", x, "y", y, "button", "left",
                "clickCount", 1));
        call("Input.dispatchMouseEvent", Map.of("type", "mouseReleased", "x", x, "y", y, "button", "left",
                "clickCount", 1));
    }

    /** Focuses the element and types the text as keyboard input. */
    public void type(String selector, String text) {
        click(selector);
        call("Input.insertText", Map.of("text", text));
    }

    /** A PNG of the viewport. */
    public byte[] screenshot() {
        String data = call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
        return Base64.getDecoder().decode(data);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                try {
                    call(null, "Browser.close", Map.of());
                } catch (RuntimeException e) {
                    // it may close the socket before answering
                }
                socket.abort();
            }
        } finally {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }
    }
}
