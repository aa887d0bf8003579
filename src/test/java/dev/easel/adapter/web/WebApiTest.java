package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.ParseResult;
import dev.easel.domain.job.PromptParser;
import dev.easel.sd.image.ImageParameters;
import dev.easel.sd.image.Png;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The developer API over real HTTP: API keys mapped to plans, text and image to image, buttons, downloads. */
class WebApiTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    static String bearer(String key) {
        return "Bearer " + key;
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void textToImageIsQueuedRunAndDownloadedAsPngsWithTheirParameters() throws Exception {
        try (WebFixture web = new WebFixture(dir)) {
            String key = web.newKey("ci", Optional.of("basic"));
            // when a prompt is posted
            HttpResponse<String> r = web.postJson("/api/v1/imagine", "{\"prompt\":\"a lighthouse at dusk --seed 42 --no fog\"}",
                    "Authorization", bearer(key));
            // then it is accepted with its parsed parameters, the key's plan and lane, and a queue position
            assertEquals(202, r.statusCode(), r.body());
            JsonNode job = WebFixture.json(r);
            assertEquals("imagine", job.get("kind").asText());
            assertEquals("queued", job.get("status").asText());
            assertEquals("a lighthouse at dusk", job.get("prompt").asText());
            assertEquals("fog", job.get("negativePrompt").asText());
            assertEquals(42, job.get("parameters").get("seed").asLong());
            assertEquals("basic", job.get("plan").asText());
            assertEquals("fast", job.get("lane").asText());
            assertTrue(job.get("queue").get("position").asInt() >= 0);
            String id = job.get("id").asText();

            // and it finishes with four candidates of seeds 42..45 and a grid
            JsonNode done = web.await("/api/v1/jobs/" + id, WebFixture.status("done"), WAIT, "Authorization", bearer(key));
            assertEquals(4, done.get("images").size());
            for (int i = 0; i < 4; i++) {
                assertEquals(42 + i, done.get("images").get(i).get("seed").asLong());
            }
            // and candidate 2 downloads as a 64x64 PNG whose parameters chunk reproduces it
            HttpResponse<byte[]> png = web.getBytes("/api/v1/jobs/" + id + "/images/2", "Authorization", bearer(key));
            assertEquals(200, png.statusCode());
            assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
            assertTrue(png.headers().firstValue("Content-Disposition").orElse("").contains("attachment"));
            assertEquals(64, decode(png.body()).getWidth());
            ImageParameters params = Png.readParameters(png.body()).orElseThrow();
            assertEquals("a lighthouse at dusk", params.prompt());
            assertEquals("fog", params.negativePrompt());
            assertEquals(43, params.seed());
            assertEquals(6, params.steps());
            // and the grid is 2x2 candidates
            HttpResponse<byte[]> grid = web.getBytes("/api/v1/jobs/" + id + "/images/grid", "Authorization", bearer(key));
            assertEquals(128, decode(grid.body()).getWidth());
            assertEquals(404, web.getBytes("/api/v1/jobs/" + id + "/images/5", "Authorization", bearer(key)).statusCode());
            // and the key's plan was charged the four images
            JsonNode me = WebFixture.json(web.get("/api/v1/me", "Authorization", bearer(key)));
            assertEquals("api-ci", me.get("user").asText());
            assertEquals(4, me.get("used").asInt());
            assertEquals(96, me.get("remaining").asInt());
        }
    }

    @Test
    void requestsWithoutAKnownKeyAreRefused() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            HttpResponse<String> none = web.postJson("/api/v1/imagine", "{\"prompt\":\"x\"}");
            assertEquals(401, none.statusCode());
            assertEquals(WebText.API_KEY_MISSING, WebFixture.json(none).get("error").asText());
            HttpResponse<String> wrong = web.get("/api/v1/jobs", "Authorization", bearer(ApiKeysTest.SOME_SECRET));
            assertEquals(401, wrong.statusCode());
            assertEquals(WebText.API_KEY_WRONG, WebFixture.json(wrong).get("error").asText());
        }
    }

    @Test
    void aBadPromptIsAnsweredWithTheParsersMessage() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            String key = web.newKey("ci", Optional.empty());
            HttpResponse<String> r = web.postJson("/api/v1/imagine", "{\"prompt\":\"a fox --speed 3\"}",
                    "Authorization", bearer(key));
            assertEquals(400, r.statusCode());
            JsonNode body = WebFixture.json(r);
            assertTrue(body.get("error").asText().startsWith("unknown parameter --speed; known: --ar"), r.body());
            assertEquals("prompt", body.get("field").asText());
            HttpResponse<String> notJson = web.send(HttpRequest.newBuilder(URI.create(web.url("/api/v1/imagine")))
                    .header("Authorization", bearer(key)).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("a fox")).build());
            assertEquals(415, notJson.statusCode());
        }
    }

    @Test
    void upscaleVariationsAndRerollAreTheGridsButtons() throws Exception {
        try (WebFixture web = new WebFixture(dir)) {
            String key = web.newKey("ci", Optional.of("standard"));
            String auth = bearer(key);
            String id = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"a red fox --seed 100\"}",
                    "Authorization", auth)).get("id").asText();
            JsonNode grid = web.await("/api/v1/jobs/" + id, WebFixture.status("done"), WAIT, "Authorization", auth);
            assertEquals("v1:up:" + id + ":3", grid.get("buttons").get(0).get(2).get("id").asText());

            // when candidate 3 is upscaled
            HttpResponse<String> up = web.postJson("/api/v1/jobs/" + id + "/upscale", "{\"index\":3}", "Authorization", auth);
            assertEquals(202, up.statusCode(), up.body());
            JsonNode upJob = WebFixture.json(up);
            // then it is an upscale of candidate 3 with candidate 3's seed, one image twice as large
            assertEquals("upscale", upJob.get("kind").asText());
            assertEquals(id, upJob.get("origin").get("parent").asText());
            assertEquals(3, upJob.get("origin").get("index").asInt());
            assertEquals(102, upJob.get("parameters").get("seed").asLong());
            JsonNode upDone = web.await("/api/v1/jobs/" + upJob.get("id").asText(), WebFixture.status("done"), WAIT,
                    "Authorization", auth);
            assertEquals(1, upDone.get("images").size());
            byte[] big = web.getBytes("/api/v1/jobs/" + upJob.get("id").asText() + "/images/1", "Authorization", auth).body();
            assertEquals(128, decode(big).getWidth());

            // when subtle variations of candidate 1 are asked for
            JsonNode vary = WebFixture.json(web.postJson("/api/v1/jobs/" + id + "/variations",
                    "{\"index\":1,\"mode\":\"subtle\"}", "Authorization", auth));
            assertEquals("variation", vary.get("kind").asText());
            assertEquals(0.35, vary.get("parameters").get("strength").asDouble(), 1e-9);
            assertEquals(1, vary.get("origin").get("index").asInt());
            // and a re-roll
            JsonNode reroll = WebFixture.json(web.postJson("/api/v1/jobs/" + id + "/reroll", "{}", "Authorization", auth));
            assertEquals("reroll", reroll.get("kind").asText());
            assertEquals("a red fox", reroll.get("prompt").asText());
            // and any button id from the job JSON, e.g. V4
            String v4 = grid.get("buttons").get(1).get(3).get("id").asText();
            JsonNode pressed = WebFixture.json(web.postJson("/api/v1/jobs/" + id + "/buttons",
                    "{\"customId\":\"" + v4 + "\"}", "Authorization", auth));
            assertEquals("variation", pressed.get("kind").asText());
            assertEquals(4, pressed.get("origin").get("index").asInt());
            assertEquals(0.75, pressed.get("parameters").get("strength").asDouble(), 1e-9);
            // and on standard (up to 4×) the upscale itself can be upscaled once more, from its own image
            HttpResponse<String> again = web.postJson("/api/v1/jobs/" + upJob.get("id").asText() + "/upscale",
                    "{\"index\":1}", "Authorization", auth);
            assertEquals(202, again.statusCode(), again.body());
            JsonNode againJob = WebFixture.json(again);
            assertEquals("upscale", againJob.get("kind").asText());
            assertEquals(upJob.get("id").asText(), againJob.get("origin").get("parent").asText());
            assertEquals(2 * upJob.get("parameters").get("width").asInt(), againJob.get("parameters").get("width").asInt());
            HttpResponse<String> badIndex = web.postJson("/api/v1/jobs/" + id + "/upscale", "{\"index\":0}",
                    "Authorization", auth);
            assertEquals(400, badIndex.statusCode());
        }
    }

    @Test
    void imageToImageStartsFromTheUploadWithItsAspectRatio() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(1).web("  default-strength: 0.6\n"))) {
            String key = web.newKey("ci", Optional.of("standard"));
            // given a wide PNG
            BufferedImage wide = new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB);
            var g = wide.createGraphics();
            g.setColor(Color.ORANGE);
            g.fillRect(0, 0, 256, 128);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(wide, "png", png);
            // when it is uploaded with a prompt and a strength
            HttpResponse<String> r = web.send(multipart(web.url("/api/v1/img2img"), key, "a sunset over the sea --seed 3",
                    "0.5", png.toByteArray()));
            // then the grid starts from it: an image-to-image imagine at that strength and the upload's 2:1 shape
            assertEquals(202, r.statusCode(), r.body());
            JsonNode job = WebFixture.json(r);
            assertEquals("imagine", job.get("kind").asText());
            assertTrue(job.get("origin").get("upload").asBoolean());
            assertTrue(job.get("origin").get("parent").isNull());
            assertEquals(0.5, job.get("parameters").get("strength").asDouble(), 1e-9);
            GenerationParams expected = ((ParseResult.Parsed) new PromptParser(web.services.config().generation())
                    .parse("x --ar 2:1")).params();
            assertEquals(expected.width(), job.get("parameters").get("width").asInt());
            assertEquals(expected.height(), job.get("parameters").get("height").asInt());
            JsonNode done = web.await("/api/v1/jobs/" + job.get("id").asText(), WebFixture.status("done"), WAIT,
                    "Authorization", bearer(key));
            assertEquals(4, done.get("images").size());
            // and without an image the endpoint says what is missing
            HttpResponse<String> none = web.postJson("/api/v1/img2img", "{\"prompt\":\"x\"}", "Authorization", bearer(key));
            assertEquals(400, none.statusCode());
            assertEquals(WebText.IMAGE_MISSING, WebFixture.json(none).get("error").asText());
            // and a strength out of range is refused
            HttpResponse<String> strong = web.send(multipart(web.url("/api/v1/img2img"), key, "x", "1.5",
                    png.toByteArray()));
            assertEquals(400, strong.statusCode());
            assertTrue(WebFixture.json(strong).get("error").asText().startsWith("strength:"));
        }
    }

    static HttpRequest multipart(String url, String key, String prompt, String strength, byte[] png) {
        String boundary = "----easel" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n" + prompt
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"strength\"\r\n\r\n" + strength
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"in.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(png);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer(key))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    @Test
    void thePlansQueueLimitAppliesAndCancellingGivesItBack() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            // given a key on the free trial: at most 3 jobs queued or running
            String key = web.newKey("trial", Optional.of("free"));
            String auth = bearer(key);
            String first = null;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = web.postJson("/api/v1/imagine", "{\"prompt\":\"fox " + i + "\"}", "Authorization", auth);
                assertEquals(202, r.statusCode(), r.body());
                assertEquals("relax", WebFixture.json(r).get("lane").asText());
                first = first == null ? WebFixture.json(r).get("id").asText() : first;
            }
            // when a fourth is sent
            HttpResponse<String> denied = web.postJson("/api/v1/imagine", "{\"prompt\":\"fox 4\"}", "Authorization", auth);
            // then the quota refuses it with the plan's own words
            assertEquals(429, denied.statusCode());
            assertEquals("You already have 3 jobs queued or running, the most your Free trial plan allows. "
                    + "Wait for one to finish.", WebFixture.json(denied).get("error").asText());
            // when one is cancelled, its images are given back and there is room again
            HttpResponse<String> cancelled = web.send(HttpRequest.newBuilder(URI.create(web.url("/api/v1/jobs/" + first)))
                    .header("Authorization", auth).DELETE().build());
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertEquals("cancelled", WebFixture.json(cancelled).get("result").asText());
            JsonNode me = WebFixture.json(web.get("/api/v1/me", "Authorization", auth));
            assertEquals(8, me.get("used").asInt(), "two open jobs hold 8 of the trial's images");
            assertEquals(202, web.postJson("/api/v1/imagine", "{\"prompt\":\"fox 5\"}", "Authorization", auth).statusCode());
            // and cancelling it again says it already ended
            HttpResponse<String> twice = web.send(HttpRequest.newBuilder(URI.create(web.url("/api/v1/jobs/" + first)))
                    .header("Authorization", auth).DELETE().build());
            assertEquals(409, twice.statusCode());
        }
    }

    @Test
    void aKeySeesOnlyItsOwnJobs() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            String alice = web.newKey("alice", Optional.empty());
            String bob = web.newKey("bob", Optional.empty());
            String id = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"alice's fox\"}",
                    "Authorization", bearer(alice))).get("id").asText();
            assertEquals(200, web.get("/api/v1/jobs/" + id, "Authorization", bearer(alice)).statusCode());
            HttpResponse<String> peek = web.get("/api/v1/jobs/" + id, "Authorization", bearer(bob));
            assertEquals(404, peek.statusCode());
            assertEquals(WebText.noJob(id), WebFixture.json(peek).get("error").asText());
            assertEquals(404, web.postJson("/api/v1/jobs/" + id + "/cancel", "{}", "Authorization", bearer(bob))
                    .statusCode());
            JsonNode bobs = WebFixture.json(web.get("/api/v1/jobs", "Authorization", bearer(bob)));
            assertEquals(0, bobs.get("jobs").size());
            JsonNode alices = WebFixture.json(web.get("/api/v1/jobs", "Authorization", bearer(alice)));
            assertEquals(id, alices.get("jobs").get(0).get("id").asText());
            HttpResponse<String> bad = web.get("/api/v1/jobs/notanid12345", "Authorization", bearer(alice));
            assertEquals(400, bad.statusCode());
            assertEquals(WebText.badJobId("notanid12345"), WebFixture.json(bad).get("error").asText());
        }
    }
}
