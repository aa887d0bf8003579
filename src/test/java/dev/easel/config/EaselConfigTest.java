package dev.easel.config;

import dev.easel.domain.job.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EaselConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("easel.yaml");
        Files.writeString(f, text);
        return f;
    }

    private static String error(Path file, Map<String, String> env) {
        return assertThrows(EaselConfig.ConfigException.class, () -> EaselConfig.load(file, env)).getMessage();
    }

    @Test
    void theShippedFileStatesTheRealDefaults() {
        // given the documented config/easel.yaml and no file at all
        EaselConfig shipped = EaselConfig.load(EaselConfig.DEFAULT_FILE, Map.of());
        EaselConfig none = EaselConfig.load(dir.resolve("absent.yaml"), Map.of());
        // then every value is the same: the file documents the defaults, it does not change them
        assertEquals(none.bot(), shipped.bot());
        assertEquals(none.model(), shipped.model());
        assertEquals(none.http(), shipped.http());
        assertEquals(none.hub(), shipped.hub());
        assertEquals(none.logFormat(), shipped.logFormat());
        assertEquals(none.shutdownTimeout(), shipped.shutdownTimeout());
        assertEquals(none.jobs(), shipped.jobs());
        assertEquals(none.plansFile(), shipped.plansFile());
        // and the defaults are the documented ones
        assertEquals(new EaselConfig.Model(Path.of("models"), "stable-diffusion-v1-5",
                "stable-diffusion-v1-5/stable-diffusion-v1-5", "auto", "auto", "", false), none.model());
        assertEquals(Path.of("models/stable-diffusion-v1-5"), none.model().dir());
        assertEquals(new EaselConfig.Http(true, "127.0.0.1", 8080, null), none.http());
        assertEquals(URI.create("https://huggingface.co"), none.hub().endpoint());
        assertEquals(URI.create("https://discord.com/api/v10/"), none.bot().restUrl());
        assertFalse(none.bot().enabled());
        assertEquals(Duration.ofSeconds(30), none.shutdownTimeout());
        assertEquals("stable-diffusion-v1-5", none.jobs().generation().model(), "jobs record the model's name");
        assertEquals(Sampler.EULER_A, none.jobs().generation().defaultSampler());
        assertFalse(none.plans().plans().isEmpty(), "config/plans.yaml is composed in");
    }

    @Test
    void everyKeyIsDocumentedInItsSectionOfTheShippedFile() throws Exception {
        List<String> lines = Files.readAllLines(EaselConfig.DEFAULT_FILE);
        List<String> undocumented = new ArrayList<>();
        EaselConfig.SECTIONS.forEach((section, keys) -> {
            int start = lines.indexOf(section + ":");
            assertTrue(start >= 0, "section " + section + " missing from config/easel.yaml");
            int end = start + 1;
            while (end < lines.size() && (lines.get(end).isEmpty() || lines.get(end).startsWith(" "))) {
                end++;
            }
            String block = String.join("\n", lines.subList(start, end));
            for (String key : keys) {
                if (!block.matches("(?s).*\\n\\s+#?\\s*" + key + ":.*")) {
                    undocumented.add(section + "." + key);
                }
            }
        });
        assertEquals(List.of(), undocumented);
    }

    @Test
    void environmentVariablesFollowOneNamingRuleAndWinOverTheFile() throws Exception {
        // given a file with some values
        Path file = yaml("""
                http: {port: 8081, bind: 0.0.0.0}
                model: {device: cuda, name: anime-v3}
                worker: {shutdown-timeout: 2m, heartbeat-ms: 4000}
                log: {format: text}
                """);
        Map<String, String> env = new HashMap<>();
        env.put("EASEL_HTTP_PORT", "9090");
        env.put("EASEL_MODEL_DEVICE", "cpu");
        env.put("EASEL_MODEL_VARIANT", "fp16");
        env.put("EASEL_MODEL_DEMO", "true");
        env.put("EASEL_WORKER_SHUTDOWN_TIMEOUT", "1500ms");
        env.put("EASEL_WORKER_HEARTBEAT_MS", "2000");
        env.put("EASEL_DATABASE_POOL_SIZE", "3");
        env.put("EASEL_DATABASE_PASSWORD", "007");
        env.put("EASEL_GENERATION_DEFAULT_GUIDANCE", "6.50");
        env.put("EASEL_LOG_FORMAT", "json");
        env.put("DISCORD_TOKEN", "discord-secret");
        env.put("HF_TOKEN", "hf_secret");
        env.put("HF_ENDPOINT", "http://127.0.0.1:9999");
        // when loading
        EaselConfig c = EaselConfig.load(file, env);
        // then the environment wins, typed like YAML values
        assertEquals(9090, c.http().port());
        assertEquals("0.0.0.0", c.http().bind(), "keys without a variable keep the file's value");
        assertEquals("cpu", c.model().device());
        assertEquals("anime-v3", c.model().name());
        assertEquals("fp16", c.model().variantOrNull());
        assertTrue(c.model().demo());
        assertEquals(Duration.ofMillis(1500), c.shutdownTimeout());
        assertEquals(Duration.ofMillis(2000), c.jobs().worker().heartbeatInterval());
        assertEquals(3, c.jobs().database().poolSize());
        assertEquals("007", c.jobs().database().password(), "digits with a leading zero stay text");
        assertEquals(6.5, c.jobs().generation().defaultGuidance());
        assertEquals(EaselConfig.LogFormat.JSON, c.logFormat());
        assertEquals("discord-secret", c.bot().token());
        assertTrue(c.bot().enabled());
        assertEquals("hf_secret", c.hub().token());
        assertEquals(URI.create("http://127.0.0.1:9999"), c.hub().endpoint());
        assertEquals("anime-v3", c.jobs().generation().model());
        // and the naming rule is the documented one
        assertEquals("EASEL_WORKER_SHUTDOWN_TIMEOUT", EaselConfig.envName("worker", "shutdown-timeout"));
        assertEquals("EASEL_HTTP_ADMIN_TOKEN", EaselConfig.environmentOverrides().get("http.admin-token"));
    }

    @Test
    void easelHubEndpointBeatsHfEndpoint() {
        EaselConfig c = EaselConfig.load(null, Map.of("HF_ENDPOINT", "https://mirror.example",
                "EASEL_HUB_ENDPOINT", "https://hub.example"));
        assertEquals(URI.create("https://hub.example"), c.hub().endpoint());
    }

    @Test
    void secretsAreMaskedWhenPrinted() {
        EaselConfig c = EaselConfig.load(null, Map.of("DISCORD_TOKEN", "discord-secret", "HF_TOKEN", "hf_secret",
                "EASEL_HTTP_ADMIN_TOKEN", "0123456789abcdef0123"));
        String printed = c.toString();
        assertFalse(printed.contains("discord-secret"), printed);
        assertFalse(printed.contains("hf_secret"), printed);
        assertFalse(printed.contains("0123456789abcdef0123"), printed);
        assertTrue(printed.contains("token=***"), printed);
    }

    @Test
    void badValuesNameTheKeyTheValueTheSourceAndWhatIsAllowed() throws Exception {
        Path absent = dir.resolve("absent.yaml");
        assertEquals("http.port (from EASEL_HTTP_PORT) = 'http' is not allowed; expected a port number 1..65535"
                + " (0: any free port)", error(absent, Map.of("EASEL_HTTP_PORT", "http")));
        Path file = yaml("http: {port: 70000}\n");
        assertEquals(file + ": http.port = '70000' is not allowed; expected a port number 1..65535 (0: any free port)",
                error(file, Map.of()));
        assertEquals("model.device (from EASEL_MODEL_DEVICE) = 'gpu' is not allowed; expected one of auto, cpu, cuda,"
                + " cuda:N", error(absent, Map.of("EASEL_MODEL_DEVICE", "gpu")));
        assertEquals("model.precision (from EASEL_MODEL_PRECISION) = 'fp16' is not allowed; expected fp32 or auto"
                        + " with model.device cpu (fp16 runs only on a CUDA GPU)",
                error(absent, Map.of("EASEL_MODEL_PRECISION", "fp16", "EASEL_MODEL_DEVICE", "cpu")));
        assertEquals("worker.shutdown-timeout (from EASEL_WORKER_SHUTDOWN_TIMEOUT) = 'soon' is not allowed; expected a"
                        + " duration such as 30s, 2m or 1500ms (a bare number means seconds), from 1s to 1h",
                error(absent, Map.of("EASEL_WORKER_SHUTDOWN_TIMEOUT", "soon")));
        assertEquals("log.format (from EASEL_LOG_FORMAT) = 'xml' is not allowed; expected text or json",
                error(absent, Map.of("EASEL_LOG_FORMAT", "xml")));
        assertEquals("model.demo (from EASEL_MODEL_DEMO) = 'yes' is not allowed; expected true or false",
                error(absent, Map.of("EASEL_MODEL_DEMO", "yes")));
        assertTrue(error(absent, Map.of("EASEL_MODEL_NAME", "../etc")).startsWith(
                "model.name (from EASEL_MODEL_NAME) = '../etc' is not allowed; expected a folder name"));
        assertEquals("bot.rest-url (from EASEL_BOT_REST_URL) = 'discord.com' is not allowed; expected an absolute"
                        + " http or https URL, e.g. https://discord.com/api/v10/",
                error(absent, Map.of("EASEL_BOT_REST_URL", "discord.com")));
        assertTrue(error(absent, Map.of("EASEL_HTTP_ADMIN_TOKEN", "short")).contains("use at least 16"));
    }

    @Test
    void theJobServiceSectionsKeepTheirCheckerAndSayWhichVariableWasWrong() throws Exception {
        String m = error(dir.resolve("absent.yaml"), Map.of("EASEL_WORKER_HEARTBEAT_MS", "often"));
        assertEquals("defaults: worker.heartbeat-ms must be a whole number; got 'often' (set by"
                + " EASEL_WORKER_HEARTBEAT_MS)", m.replace(dir.resolve("absent.yaml").toString(), "defaults"));
        Path file = yaml("queue: {lane: turbo}\n");
        assertEquals(file + ": queue.lane 'turbo' is unknown; use fast or relax", error(file, Map.of()));
    }

    @Test
    void structureMistakesAreRefused() throws Exception {
        Path file = yaml("modle: {name: x}\n");
        assertEquals(file + ": unknown section 'modle'; known sections: bot, model, http, hub, database, storage,"
                + " generation, queue, worker, quota, log", error(file, Map.of()));
        file = yaml("http: {prot: 1}\n");
        assertEquals(file + ": unknown key http.prot; known keys of http: admin-token, bind, enabled, port",
                error(file, Map.of()));
        file = yaml("bot: {token: abc}\n");
        assertTrue(error(file, Map.of()).contains("bot.token must not be written in a file; set the DISCORD_TOKEN"));
        file = yaml("http: 8080\n");
        assertTrue(error(file, Map.of()).contains("http must be a section of keys"));
        file = yaml("http: {port: 1\n");
        assertTrue(error(file, Map.of()).startsWith(file + ": not valid YAML"));
    }

    @Test
    void aMissingPlansFileIsNamed() {
        String m = error(null, Map.of("EASEL_QUOTA_PLANS_FILE", dir.resolve("nope.yaml").toString()));
        assertEquals("quota.plans-file (from EASEL_QUOTA_PLANS_FILE) = '" + dir.resolve("nope.yaml") + "': "
                + dir.resolve("nope.yaml") + ": plans file not found", m);
    }
}
