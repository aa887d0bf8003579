package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin page's API: token and login, queue per lane with progress, failures, plan operations, API keys. */
class WebAdminTest {
    static final String TOKEN = "X-Admin-Token";

    @TempDir
    Path dir;

    static HttpRequest.Builder request(WebFixture web, String path) {
        return HttpRequest.newBuilder(URI.create(web.url(path))).timeout(Duration.ofSeconds(10));
    }

    @Test
    void theAdminPagesNeedTheTokenByHeaderOrLogin() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            assertEquals(401, web.get("/admin/api/overview").statusCode());
            assertEquals(401, web.get("/admin/api/overview", TOKEN, "wrong-token-wrong-token").statusCode());
            assertEquals(200, web.get("/admin/api/overview", TOKEN, WebFixture.ADMIN_TOKEN).statusCode());
            // the page shows the login form until logged in
            assertTrue(web.get("/admin").body().contains("Enter the admin token"));
            HttpResponse<String> wrong = web.send(request(web, "/admin/login")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=nope")).build());
            assertEquals(303, wrong.statusCode());
            assertEquals("/admin?error=token", wrong.headers().firstValue("Location").orElse(""));
            assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
            HttpResponse<String> right = web.send(request(web, "/admin/login")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + WebFixture.ADMIN_TOKEN)).build());
            assertEquals(303, right.statusCode());
            String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            String session = cookie.substring(0, cookie.indexOf(';'));
            assertTrue(web.get("/admin", "Cookie", session).body().contains("Audit log"));
            assertEquals(200, web.get("/admin/api/overview", "Cookie", session).statusCode());
            // a change by cookie must come from the page itself (its header), not from a form elsewhere
            String body = "{\"user\":\"local\",\"images\":5}";
            assertEquals(403, web.postJson("/admin/api/quota/bonus", body, "Cookie", session).statusCode());
            assertEquals(200, web.postJson("/admin/api/quota/bonus", body, "Cookie", session, "X-Easel-Console", "1")
                    .statusCode());
            // and logging out ends the session
            web.send(request(web, "/admin/logout").header("Cookie", session).POST(HttpRequest.BodyPublishers.noBody())
                    .build());
            assertEquals(401, web.get("/admin/api/overview", "Cookie", session).statusCode());
        }
    }

    @Test
    void withoutATokenThereIsNoAdminPage() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0).adminToken(null))) {
            HttpResponse<String> page = web.get("/admin");
            assertEquals(404, page.statusCode());
            assertEquals(WebText.ADMIN_OFF, WebFixture.json(page).get("error").asText());
            assertEquals(404, web.get("/admin/api/overview", TOKEN, WebFixture.ADMIN_TOKEN).statusCode());
        }
    }

    @Test
    void planOperationsAreTheSlashCommandsAndEveryChangeIsAudited() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            String key = web.newKey("client", Optional.of("basic"));
            // when the basic plan is edited
            HttpResponse<String> edit = web.postJson("/admin/api/quota/edit-plan",
                    "{\"plan\":\"basic\",\"fields\":{\"images\":\"200\"}}", TOKEN, WebFixture.ADMIN_TOKEN);
            assertEquals(200, edit.statusCode(), edit.body());
            assertEquals("images: 100 → 200", WebFixture.json(edit).get("change").asText());
            // then the key's member sees the new allowance
            JsonNode me = WebFixture.json(web.get("/api/v1/me", "Authorization", "Bearer " + key));
            assertEquals(200, me.get("remaining").asInt());
            // a bad change names the field and writes nothing
            HttpResponse<String> bad = web.postJson("/admin/api/quota/edit-plan",
                    "{\"plan\":\"gold\",\"fields\":{\"images\":\"5\"}}", TOKEN, WebFixture.ADMIN_TOKEN);
            assertEquals(400, bad.statusCode());
            assertEquals("plan", WebFixture.json(bad).get("field").asText());
            assertTrue(WebFixture.json(bad).get("error").asText().contains("unknown plan 'gold'"), bad.body());
            HttpResponse<String> unknownOp = web.postJson("/admin/api/quota/promote", "{}", TOKEN, WebFixture.ADMIN_TOKEN);
            assertEquals(404, unknownOp.statusCode());
            // members: assign a plan with an expiry, grant a bonus
            assertEquals(200, web.postJson("/admin/api/quota/assign",
                    "{\"user\":\"friend\",\"plan\":\"standard\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}", TOKEN,
                    WebFixture.ADMIN_TOKEN).statusCode());
            assertEquals(200, web.postJson("/admin/api/quota/bonus", "{\"user\":\"api-client\",\"images\":7}", TOKEN,
                    WebFixture.ADMIN_TOKEN).statusCode());
            assertEquals(400, web.postJson("/admin/api/quota/assign", "{\"user\":\"friend\",\"plan\":\"standard\","
                    + "\"expiresAt\":\"tomorrow\"}", TOKEN, WebFixture.ADMIN_TOKEN).statusCode());
            JsonNode guild = WebFixture.json(web.get("/admin/api/guild?user=friend", TOKEN, WebFixture.ADMIN_TOKEN));
            assertEquals("local", guild.get("guild").asText());
            JsonNode friend = member(guild, "friend");
            assertEquals("standard", friend.get("plan").asText());
            assertEquals("2099-01-01T00:00:00Z", friend.get("assignments").get(0).get("expiresAt").asText());
            assertEquals(7, member(guild, "api-client").get("bonus").asInt());
            assertEquals("standard", member(guild, "local").get("plan").asText());
            // and the audit log says who did what
            JsonNode audit = guild.get("audit");
            assertEquals("web-admin", audit.get(0).get("actor").asText());
            assertEquals("user api-client", audit.get(0).get("subject").asText());
            assertTrue(audit.toString().contains("images: 100 → 200"));
            // plans are listed with their fields
            assertTrue(guild.get("plans").toString().contains("\"images\":\"200\""), guild.get("plans").toString());
        }
    }

    static JsonNode member(JsonNode guild, String user) {
        for (JsonNode m : guild.get("members")) {
            if (m.get("user").asText().equals(user)) {
                return m;
            }
        }
        throw new AssertionError("no member " + user + " in " + guild.get("members"));
    }

    /** The fake engine, slower, failing jobs whose prompt says "explode". */
    static final class TestEngine implements ImageGenerator {
        final FakeImageGenerator fake = new FakeImageGenerator(FakeImageGenerator.Options.fast()
                .withStepDelay(Duration.ofMillis(120)));

        @Override
        public int maxBatchImages(int width, int height) {
            return 4;
        }

        @Override
        public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
            if (requests.get(0).params().prompt().contains("explode")) {
                throw new GenerationFailedException("the test engine refuses to draw explosions", null);
            }
            return fake.generate(requests);
        }
    }

    @Test
    void theOverviewShowsRunningJobsWithProgressEachLanesQueueAndFailures() {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().engine(new TestEngine()).steps(10))) {
            String fast = "Bearer " + web.newKey("fast", Optional.of("basic"));
            String relax = "Bearer " + web.newKey("slow", Optional.of("free"));
            String boom = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"explode --seed 1\"}",
                    "Authorization", fast)).get("id").asText();
            web.await("/api/v1/jobs/" + boom, WebFixture.status("failed"), Duration.ofSeconds(10), "Authorization", fast);
            // given one job running and one waiting in each lane
            String running = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"first --seed 1\"}",
                    "Authorization", fast)).get("id").asText();
            web.await("/api/v1/jobs/" + running, j -> j.path("progress").path("step").asInt() > 0,
                    Duration.ofSeconds(10), "Authorization", fast);
            String waitingFast = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"second\"}",
                    "Authorization", fast)).get("id").asText();
            String waitingRelax = WebFixture.json(web.postJson("/api/v1/imagine", "{\"prompt\":\"third\"}",
                    "Authorization", relax)).get("id").asText();
            // when the admin looks
            JsonNode o = WebFixture.json(web.get("/admin/api/overview", TOKEN, WebFixture.ADMIN_TOKEN));
            // then each is in its place, with owner, progress and position
            assertEquals(running, o.get("running").get(0).get("id").asText(), o.toString());
            assertEquals("api-fast", o.get("running").get(0).get("owner").asText());
            assertTrue(o.get("running").get(0).get("progress").get("step").asInt() > 0, o.toString());
            assertEquals(10, o.get("running").get(0).get("progress").get("total").asInt());
            assertEquals(waitingFast, o.get("fast").get(0).get("id").asText(), o.toString());
            assertEquals(1, o.get("fast").get(0).get("queue").get("position").asInt());
            assertEquals(waitingRelax, o.get("relax").get(0).get("id").asText(), o.toString());
            assertEquals(2, o.get("relax").get(0).get("queue").get("position").asInt());
            assertEquals(2, o.get("waitingTotal").asInt());
            assertEquals(boom, o.get("failures").get(0).get("id").asText());
            assertEquals("the test engine refuses to draw explosions", o.get("failures").get(0).get("failureReason")
                    .asText());
            // and the admin can cancel anyone's job
            HttpResponse<String> cancel = web.postJson("/admin/api/jobs/" + waitingRelax + "/cancel", "{}", TOKEN,
                    WebFixture.ADMIN_TOKEN);
            assertEquals(200, cancel.statusCode(), cancel.body());
            assertEquals("cancelled", web.await("/api/v1/jobs/" + waitingRelax, j -> true, Duration.ofSeconds(2),
                    "Authorization", relax).get("status").asText());
        }
    }

    @Test
    void keysCreatedOnTheAdminPageMapToPlansAreStoredHashedAndCanBeRevoked() throws Exception {
        try (WebFixture web = new WebFixture(dir, new WebFixture.Options().workers(0))) {
            HttpResponse<String> created = web.postJson("/admin/api/keys", "{\"name\":\"partner\",\"plan\":\"basic\"}",
                    TOKEN, WebFixture.ADMIN_TOKEN);
            assertEquals(201, created.statusCode(), created.body());
            String secret = WebFixture.json(created).get("key").asText();
            assertEquals("api-partner", WebFixture.json(created).get("user").asText());
            JsonNode me = WebFixture.json(web.get("/api/v1/me", "Authorization", "Bearer " + secret));
            assertEquals("basic", me.get("plan").asText());
            String file = Files.readString(dir.resolve("api-keys.json"));
            assertFalse(file.contains(secret));
            assertTrue(file.contains(ApiKeys.sha256(secret)));
            JsonNode list = WebFixture.json(web.get("/admin/api/keys", TOKEN, WebFixture.ADMIN_TOKEN));
            assertEquals("partner", list.get("keys").get(0).get("name").asText());
            assertFalse(list.toString().contains(secret), "the list never shows secrets");
            assertEquals(400, web.postJson("/admin/api/keys", "{\"name\":\"x\",\"plan\":\"platinum\"}", TOKEN,
                    WebFixture.ADMIN_TOKEN).statusCode());
            assertEquals(400, web.postJson("/admin/api/keys", "{\"name\":\"partner\"}", TOKEN, WebFixture.ADMIN_TOKEN)
                    .statusCode());
            // when revoked, the key stops working
            assertEquals(200, web.postJson("/admin/api/keys/partner/revoke", "{}", TOKEN, WebFixture.ADMIN_TOKEN)
                    .statusCode());
            assertEquals(401, web.get("/api/v1/me", "Authorization", "Bearer " + secret).statusCode());
            assertEquals(404, web.postJson("/admin/api/keys/partner/revoke", "{}", TOKEN, WebFixture.ADMIN_TOKEN)
                    .statusCode());
        }
    }
}
