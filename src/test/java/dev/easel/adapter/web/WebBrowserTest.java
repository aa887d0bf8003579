package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.testing.browser.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console, gallery and admin pages in headless Chromium, driven like a user (typing, clicking). */
class WebBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void typeAPromptWatchTheGridArriveThenUpscaleTheFirstImage() throws Exception {
        Chromium.require();
        try (WebFixture web = new WebFixture(dir); Chromium browser = Chromium.start(1200, 900)) {
            // given the console
            browser.open(web.url("/console"));
            browser.await("the plan line", "document.querySelector('#who').textContent.includes('Standard')", WAIT);
            // when a prompt is typed and sent
            browser.type("#prompt", "a lighthouse at dusk --seed 42");
            browser.click("#send");
            // then the job appears, runs and shows its 2x2 grid with U1-U4, V1-V4 and re-roll
            browser.await("the grid", "document.querySelector('.job[data-kind=imagine][data-status=done] img.grid-image')"
                    + "?.complete && document.querySelector('.job[data-kind=imagine] img.grid-image').naturalWidth > 0", WAIT);
            JsonNode labels = browser.eval("[...document.querySelectorAll('.job[data-kind=imagine] button[data-custom-id]')]"
                    + ".map(b => b.textContent)");
            assertEquals("[\"U1\",\"U2\",\"U3\",\"U4\",\"V1\",\"V2\",\"V3\",\"V4\",\"🔄\"]", labels.toString());
            int gridWidth = browser.eval("document.querySelector('.job[data-kind=imagine] img.grid-image').naturalWidth")
                    .asInt();
            assertEquals(128, gridWidth, "2x2 grid of 64x64 candidates");
            String parentId = browser.eval("document.querySelector('.job[data-kind=imagine]').dataset.id").asText();
            assertEquals("v1:up:" + parentId + ":1", browser.eval(
                    "document.querySelector('.job[data-kind=imagine] button[data-custom-id]').dataset.customId").asText());

            // when U1 is pressed
            browser.click(".job[data-kind=imagine] button[data-custom-id^='v1:up:']");
            // then the upscaled first candidate appears: one image, twice the candidate's size
            browser.await("the upscale", "document.querySelector('.job[data-kind=upscale][data-status=done] img.result')"
                    + "?.naturalWidth > 0", WAIT);
            assertEquals(128, browser.eval("document.querySelector('.job[data-kind=upscale] img.result').naturalWidth")
                    .asInt());
            JsonNode upscaleButtons = browser.eval("[...document.querySelectorAll('.job[data-kind=upscale] "
                    + "button[data-custom-id]')].map(b => b.textContent)");
            assertEquals("[\"Vary (Subtle)\",\"Vary (Strong)\",\"Upscale (2×)\"]", upscaleButtons.toString());
            // and the server agrees: the upscale is of candidate 1 of that grid, with candidate 1's seed
            JsonNode jobs = WebFixture.json(web.get("/console/api/jobs"));
            JsonNode up = jobs.get("jobs").get(0);
            assertEquals("upscale", up.get("kind").asText());
            assertEquals(parentId, up.get("origin").get("parent").asText());
            assertEquals(1, up.get("origin").get("index").asInt());
            assertEquals(42, up.get("parameters").get("seed").asLong());
            Files.write(dir.resolve("console.png"), browser.screenshot());
        }
    }

    @Test
    void aPrivateJobNeverShowsInTheGallery() throws Exception {
        Chromium.require();
        try (WebFixture web = new WebFixture(dir); Chromium browser = Chromium.start(1200, 900)) {
            // given a member on a plan with private results, and the console user on a public plan
            String key = web.newKey("secret-agent", Optional.of("standard"));
            assertEquals(200, web.postJson("/admin/api/quota/assign", "{\"user\":\"api-secret-agent\",\"plan\":\"private\"}",
                    "X-Admin-Token", WebFixture.ADMIN_TOKEN).statusCode());
            String privateId = WebFixture.json(web.postJson("/api/v1/imagine",
                    "{\"prompt\":\"the hidden lighthouse plans --seed 5\"}", "Authorization", "Bearer " + key))
                    .get("id").asText();
            // and a public job typed in the console
            browser.open(web.url("/console"));
            browser.await("the composer", "document.querySelector('#who').textContent.includes('Standard')", WAIT);
            browser.type("#prompt", "a public red fox --seed 9");
            browser.click("#send");
            browser.await("the public grid", "document.querySelector('.job[data-status=done] img.grid-image')"
                    + "?.naturalWidth > 0", WAIT);
            JsonNode privateJob = web.await("/api/v1/jobs/" + privateId, WebFixture.status("done"), WAIT,
                    "Authorization", "Bearer " + key);
            assertTrue(privateJob.get("private").asBoolean(), "the private plan made the job private");

            // when the gallery page is opened
            browser.open(web.url("/gallery"));
            browser.await("a gallery card", "document.querySelectorAll('.card').length > 0", WAIT);

            // then the public job is there with its prompt and seed, and nothing of the private one
            JsonNode cards = browser.eval("[...document.querySelectorAll('.card')].map(c => c.dataset.id)");
            assertEquals(1, cards.size(), cards.toString());
            String text = browser.eval("document.body.innerText").asText();
            assertTrue(text.contains("a public red fox"), text);
            assertTrue(text.contains("seed 9"), text);
            assertFalse(text.contains("hidden lighthouse"), text);
            String html = browser.eval("document.documentElement.outerHTML").asText();
            assertFalse(html.contains(privateId), "the private job's id is nowhere in the gallery page");
        }
    }
}
