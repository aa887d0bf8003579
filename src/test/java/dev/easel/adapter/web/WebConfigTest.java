package dev.easel.adapter.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class WebConfigTest {
    static JsonNode yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }

    @Test
    void defaultsServeTheLoopbackWithoutAdminPage() {
        WebConfig c = WebConfig.defaults();
        assertEquals("127.0.0.1", c.bind());
        assertEquals(8080, c.port());
        assertEquals("local", c.guildId());
        assertEquals("local", c.userId());
        assertEquals(Optional.empty(), c.plan());
        assertFalse(c.adminEnabled());
        assertEquals(WebConfig.Gallery.ALL, c.gallery());
        assertEquals(Path.of("data/api-keys.json"), c.apiKeysFile());
        assertEquals(10L * 1024 * 1024, c.maxUploadBytes());
        assertEquals(Duration.ofHours(12), c.sessionLifetime());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        String hash = ApiKeys.sha256("esl_example");
        WebConfig c = WebConfig.fromTree(yaml("""
                web:
                  bind: 0.0.0.0
                  port: 9000
                  guild: studio
                  user: alice
                  plan: standard
                  admin-token: a-long-enough-admin-token
                  gallery: local
                  gallery-size: 12
                  api-keys:
                    - {name: ci, plan: basic, sha256: %s}
                  api-keys-file: /var/lib/easel/keys.json
                  max-event-streams: 2
                  max-upload-mb: 3
                  default-strength: 0.4
                  session-hours: 2
                """.formatted(hash)), Map.of());
        assertEquals("0.0.0.0", c.bind());
        assertEquals(9000, c.port());
        assertEquals("studio", c.guildId());
        assertEquals("alice", c.userId());
        assertEquals(Optional.of("standard"), c.plan());
        assertEquals(Optional.of("a-long-enough-admin-token"), c.adminToken());
        assertEquals(WebConfig.Gallery.LOCAL, c.gallery());
        assertEquals(12, c.gallerySize());
        assertEquals(new WebConfig.ConfiguredKey("ci", Optional.of("basic"), hash), c.apiKeys().get(0));
        assertEquals(Path.of("/var/lib/easel/keys.json"), c.apiKeysFile());
        assertEquals(2, c.maxEventStreams());
        assertEquals(3L * 1024 * 1024, c.maxUploadBytes());
        assertEquals(0.4, c.defaultStrength());
        assertEquals(Duration.ofHours(2), c.sessionLifetime());
    }

    @Test
    void theEnvironmentOverridesBindPortAndToken() throws Exception {
        WebConfig c = WebConfig.fromTree(yaml("web: {port: 9000}"), Map.of("EASEL_WEB_BIND", "::1",
                "EASEL_WEB_PORT", "9100", "EASEL_WEB_ADMIN_TOKEN", "token-from-the-environment"));
        assertEquals("::1", c.bind());
        assertEquals(9100, c.port());
        assertEquals(Optional.of("token-from-the-environment"), c.adminToken());
        assertEquals(WebConfig.Gallery.OFF, WebConfig.fromTree(yaml("web: {gallery: off}"), Map.of()).gallery(),
                "a bare YAML off means the gallery is off");
    }

    @Test
    void mistakesNameTheKeyAndWhatIsAllowed() {
        assertEquals("unknown key web.colour; known: admin-token, api-keys, api-keys-file, bind, default-strength, "
                        + "gallery, gallery-size, guild, max-event-streams, max-upload-mb, plan, port, session-hours, user",
                message("web: {colour: blue}"));
        assertEquals("web.admin-token must be at least 16 characters without spaces (got 5)",
                message("web: {admin-token: short}"));
        assertEquals("web.gallery must be all, local or off; got 'friends'", message("web: {gallery: friends}"));
        assertEquals("web.api-keys.ci.sha256 must be 64 lower-case hex digits (easel web --hash-key KEY prints it)",
                message("web: {api-keys: [{name: ci, sha256: abc}]}"));
        assertEquals("web.port must be a whole number; got 'eighty'", message("web: {port: eighty}"));
        assertEquals("web.default-strength must be in (0, 1]; got 1.5", message("web: {default-strength: 1.5}"));
        assertEquals("web.user must be 1-60 of A-Z a-z 0-9 _ . : -; got 'two words'", message("web: {user: two words}"));
        assertEquals("EASEL_WEB_PORT must be a port number; got 'x'", assertThrows(IllegalArgumentException.class,
                () -> WebConfig.fromTree(null, Map.of("EASEL_WEB_PORT", "x"))).getMessage());
    }

    static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> WebConfig.fromTree(yaml(text), Map.of())).getMessage();
    }
}
