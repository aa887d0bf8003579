package dev.easel.config;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JobsConfigTest {
    @TempDir
    Path dir;

    @Test
    void missingFileMeansDefaults() {
        JobsConfig c = JobsConfig.load(dir.resolve("absent.yaml"), Map.of());
        assertEquals(DatabaseSettings.DEFAULT_URL, c.database().url());
        assertEquals(Path.of("data/images"), c.imagesDir());
        assertEquals(512, c.generation().nativeSize());
        assertEquals(Sampler.EULER_A, c.generation().defaultSampler());
        assertEquals(new JobsConfig.Caps("default", Lane.FAST, 1, 5), c.caps());
        assertEquals(8, c.worker().maxBatchImages());
        assertEquals(Duration.ofSeconds(60), c.worker().leaseTimeout());
    }

    @Test
    void readsEveryKeyAndEnvironmentOverridesWin() throws Exception {
        Path yaml = dir.resolve("easel.yaml");
        Files.writeString(yaml, """
                bot: {token: ignored-here}
                database:
                  url: jdbc:postgresql://db:5432/easel
                  user: easel
                  password: secret
                  pool-size: 12
                storage: {images-dir: /srv/images}
                generation:
                  model: sd21
                  native-size: 768
                  default-sampler: dpmpp_2m_karras
                  max-side: 1536
                  variation-subtle-strength: 0.3
                  upscale-scale: 4
                queue: {plan-name: everyone, lane: relax, max-running-per-user: 2, max-queued-per-user: 9, default-ms-per-step: 80}
                worker: {id: gpu-a, max-batch-images: 16, lease-timeout-ms: 30000}
                """);
        JobsConfig c = JobsConfig.load(yaml, Map.of("EASEL_DATABASE_PASSWORD", "from-env", "EASEL_WORKER_ID", "gpu-b"));
        assertEquals(new DatabaseSettings("jdbc:postgresql://db:5432/easel", "easel", "from-env", 12), c.database());
        assertEquals(Path.of("/srv/images"), c.imagesDir());
        assertEquals("sd21", c.generation().model());
        assertEquals(768, c.generation().nativeSize());
        assertEquals(Sampler.DPMPP_2M_KARRAS, c.generation().defaultSampler());
        assertEquals(0.3, c.variations().subtleStrength());
        assertEquals(4, c.worker().upscaleScale());
        assertEquals(new JobsConfig.Caps("everyone", Lane.RELAX, 2, 9), c.caps());
        assertEquals(80.0, c.queue().defaultMillisPerStep());
        assertEquals("gpu-b", c.worker().workerId());
        assertEquals(16, c.worker().maxBatchImages());
        assertFalse(c.database().toString().contains("from-env"), "passwords stay out of logs");
    }

    @Test
    void mistakesAreNamed() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "worker: {max-batch: 4}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobsConfig.load(yaml, Map.of()));
        assertTrue(e.getMessage().startsWith("unknown key worker.max-batch; known: cancel-poll-ms, heartbeat-ms, id,"),
                e.getMessage());
        Files.writeString(yaml, "queue: {max-running-per-user: two}\n");
        assertEquals("queue.max-running-per-user must be a whole number; got 'two'",
                assertThrows(IllegalArgumentException.class, () -> JobsConfig.load(yaml, Map.of())).getMessage());
        Files.writeString(yaml, "generation: {default-sampler: k_euler}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobsConfig.load(yaml, Map.of())).getMessage()
                .startsWith("generation.default-sampler 'k_euler' is unknown"));
    }
}
