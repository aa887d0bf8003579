package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's HTTP side: live updates, previews, request checks, the gallery and image access. */
class WebConsoleHttpTest {
    static final String CONSOLE = "X-Easel-Console";
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void theEventStreamSendsEachChangeOfTheUsersJobsUntilTheGridIsDone() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().steps(8).engine(
                new dev.easel.application.FakeImageGenerator(dev.easel.application.FakeImageGenerator.Options.fast()
                        .withStepDelay(Duration.ofMillis(80)))))) {
            // given an open event stream
            HttpResponse<Stream<String>> stream = web.http.send(HttpRequest.newBuilder(URI.create(web.url("/console/events")))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, stream.statusCode());
            assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            List<JsonNode> seen = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> stream.body()
                    .filter(l -> l.startsWith("data: "))
                    .map(l -> WebFixture.parse(l.substring(6)))
                    .takeWhile(j -> {
                        synchronized (seen) {
                            seen.add(j);
                        }
                        return !j.get("status").asText().equals("done");
                    }).forEach(j -> { }));
            // when a prompt is sent from the console
            HttpResponse<String> r = web.postJson("/console/api/imagine", "{\"prompt\":\"a harbour at night --seed 8\"}",
                    CONSOLE, "1");
            assertEquals(202, r.statusCode(), r.body());
            String id = WebFixture.json(r).get("id").asText();
            reader.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // then the stream told each state in order: queued or running with progress, then done with the grid
            List<JsonNode> mine;
            synchronized (seen) {
                mine = seen.stream().filter(j -> j.get("id").asText().equals(id)).toList();
            }
            JsonNode last = mine.get(mine.size() - 1);
            assertEquals("done", last.get("status").asText());
            assertEquals("/images/" + id + "/grid.png", last.get("grid").get("url").asText());
            assertEquals(9, countButtons(last));
            assertTrue(mine.stream().anyMatch(j -> j.get("status").asText().equals("running")
                    && j.get("progress").get("step").asInt() > 0), "a progress event: " + mine);
            assertTrue(mine.stream().anyMatch(j -> j.get("status").asText().equals("running")
                    && !j.get("progress").get("preview").isNull()), "a preview event: " + mine);
            int lastStep = 0;
            for (JsonNode j : mine) {
                if (j.get("status").asText().equals("running")) {
                    int step = j.get("progress").get("step").asInt();
                    assertTrue(step >= lastStep, "progress never goes back: " + mine);
                    lastStep = step;
                }
            }
        }
    }

    private static int countButtons(JsonNode job) {
        int n = 0;
        for (JsonNode row : job.get("buttons")) {
            n += row.size();
        }
        return n;
    }

    @Test
    void previewsOfARunningJobAreServedToItsOwner() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().steps(10).engine(
                new dev.easel.application.FakeImageGenerator(dev.easel.application.FakeImageGenerator.Options.fast()
                        .withStepDelay(Duration.ofMillis(100)))))) {
            String id = WebFixture.json(web.postJson("/console/api/imagine", "{\"prompt\":\"slow fox --seed 1\"}",
                    CONSOLE, "1")).get("id").asText();
            JsonNode running = web.await("/console/api/jobs/" + id, j -> j.path("progress").hasNonNull("preview"), WAIT);
            String preview = running.get("progress").get("preview").asText();
            assertTrue(preview.startsWith("/console/api/jobs/" + id + "/preview?v="), preview);
            HttpResponse<byte[]> png = web.getBytes(preview);
            assertEquals(200, png.statusCode());
            assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
            // the fake engine previews at 1/8 of the picture: 8x8 for 64x64
            assertEquals(8, WebApiTest.decode(png.body()).getWidth());
        }
    }

    @Test
    void consoleChangesNeedTheConsolesHeaderAndALocalHostName() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            // a plain cross-site form post (no header) is refused
            HttpResponse<String> noHeader = web.postJson("/console/api/imagine", "{\"prompt\":\"x\"}");
            assertEquals(403, noHeader.statusCode());
            assertEquals(WebText.CONSOLE_HEADER, WebFixture.json(noHeader).get("error").asText());
            // a request through a foreign name (DNS rebinding) is refused before anything else
            try (Socket s = new Socket("127.0.0.1", web.server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("GET /console/api/me HTTP/1.1\r\nHost: attacker.example:" + web.server.port()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                assertTrue(status.startsWith("HTTP/1.1 421"), status);
            }
            // unknown paths and methods say so
            assertEquals(404, web.get("/console/api/nothing").statusCode());
            assertEquals(405, web.send(HttpRequest.newBuilder(URI.create(web.url("/console/api/imagine"))).GET().build())
                    .statusCode());
            assertEquals(303, web.get("/").statusCode());
            // static files come from the jar; no path tricks
            assertEquals(200, web.get("/static/console.js").statusCode());
            assertEquals(404, web.get("/static/..%2Fconsole.html").statusCode());
            assertTrue(web.get("/console").headers().firstValue("Content-Security-Policy").orElse("")
                    .contains("default-src 'self'"));
        }
    }

    @Test
    void liveUpdateConnectionsBeyondTheLimitAreRefusedSoThePagePolls() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0)
                .web("  max-event-streams: 1\n"))) {
            HttpResponse<Stream<String>> first = web.http.send(HttpRequest.newBuilder(URI.create(web.url("/console/events")))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, first.statusCode());
            HttpResponse<String> second = web.get("/console/events");
            assertEquals(503, second.statusCode());
            assertEquals(WebText.TOO_MANY_STREAMS, WebFixture.json(second).get("error").asText());
            first.body().close();
        }
    }

    @Test
    void theGalleryListsPublicResultsOnlyAndPrivateImagesStayWithTheirOwner() throws Exception {
        try (WebFixture web = new WebFixture(dir)) {
            // given a member with private results and the console user with public ones
            String key = web.newKey("agent", Optional.of("standard"));
            String auth = "Bearer " + key;
            assertEquals(200, web.postJson("/admin/api/quota/assign", "{\"user\":\"api-agent\",\"plan\":\"private\"}",
                    "X-Admin-Token", WebFixture.ADMIN_TOKEN).statusCode());
            JsonNode me = WebFixture.json(web.get("/api/v1/me", "Authorization", auth));
            assertTrue(me.get("privateOn").asBoolean());
            String secret = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"classified harbour --seed 11\"}",
                    "Authorization", auth)).get("id").asText();
            String open = WebFixture.json(web.postJson("/console/api/imagine", "{\"prompt\":\"open harbour --seed 12\"}",
                    CONSOLE, "1")).get("id").asText();
            JsonNode secretJob = web.await("/api/v1/jobs/" + secret, WebFixture.status("done"), WAIT, "Authorization", auth);
            web.await("/console/api/jobs/" + open, WebFixture.status("done"), WAIT);
            assertTrue(secretJob.get("private").asBoolean());

            // the gallery shows the public job with prompt, seed and parameters, and nothing of the private one
            HttpResponse<String> gallery = web.get("/gallery/api/recent");
            JsonNode jobs = WebFixture.json(gallery).get("jobs");
            assertEquals(1, jobs.size(), gallery.body());
            assertEquals(open, jobs.get(0).get("id").asText());
            assertEquals("open harbour", jobs.get(0).get("prompt").asText());
            assertEquals(12, jobs.get(0).get("parameters").get("seed").asLong());
            assertTrue(jobs.get(0).get("plan").isNull(), "the gallery does not tell plans");
            assertFalse(gallery.body().contains("classified"));
            assertFalse(gallery.body().contains(secret));

            // the private grid is served to its owner only
            String gridUrl = secretJob.get("grid").get("url").asText();
            assertEquals(404, web.getBytes(gridUrl).statusCode());
            assertEquals(200, web.getBytes(gridUrl, "Authorization", auth).statusCode());
            String other = web.newKey("other", Optional.empty());
            assertEquals(404, web.getBytes(gridUrl, "Authorization", "Bearer " + other).statusCode());
            // the public one to anyone, as a download with its parameters on request
            HttpResponse<byte[]> pub = web.getBytes("/images/" + open + "/0.png?download=1");
            assertEquals(200, pub.statusCode());
            assertEquals("attachment; filename=\"easel-" + open + "-0.png\"",
                    pub.headers().firstValue("Content-Disposition").orElse(""));
            assertEquals(12, dev.easel.sd.image.Png.readParameters(pub.body()).orElseThrow().seed());
            // and the owner can switch private mode off for later jobs
            HttpResponse<String> notConsole = web.postJson("/console/api/private", "{\"on\":true}", CONSOLE, "1");
            assertEquals(200, notConsole.statusCode());
            assertFalse(WebFixture.json(notConsole).get("privateOn").asBoolean(), "the console user has no private plan");
        }
    }

    @Test
    void anOffGalleryShowsNothing() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0).web("  gallery: off\n"))) {
            assertEquals(404, web.get("/gallery").statusCode());
            HttpResponse<String> api = web.get("/gallery/api/recent");
            assertEquals(404, api.statusCode());
            assertEquals(WebText.GALLERY_OFF, WebFixture.json(api).get("error").asText());
        }
    }
}
