package dev.easel.adapter.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.application.PrivatePrompts;
import dev.easel.testing.JobKit;
import dev.easel.domain.job.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EaselLogLayoutTest {
    @TempDir
    Path dir;
    private final EaselLogLayout layout = new EaselLogLayout();
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.easel.application.JobWorker");

    @AfterEach
    void reset() {
        EaselLogLayout.use(EaselLogLayout.Format.TEXT);
    }

    private LoggingEvent event(Level level, String message, Throwable error, Object... args) {
        LoggingEvent e = new LoggingEvent("test", logger, level, message, error, args);
        e.setThreadName("easel-worker-w1");
        e.setTimeStamp(1_735_689_600_123L); // 2025-01-01T00:00:00.123Z
        return e;
    }

    @Test
    void textLinesKeepTheUsualShape() {
        EaselLogLayout.use(EaselLogLayout.Format.TEXT);
        String line = layout.doLayout(event(Level.INFO, "worker {}: job {} done", null, "w1", "abc"));
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.123 INFO  \\[easel-worker-w1] d\\.easel\\.application\\.JobWorker"
                + " - worker w1: job abc done\\R"), line);
    }

    @Test
    void jsonLinesAreOneParsableObjectWithEscapedText() throws Exception {
        EaselLogLayout.use(EaselLogLayout.Format.JSON);
        LoggingEvent e = event(Level.WARN, "quote \" backslash \\ newline\nend", new IllegalStateException("bad\tstate"));
        e.setMDCPropertyMap(Map.of("job", "j1"));
        String line = layout.doLayout(e);
        assertTrue(line.endsWith("}\n"));
        assertEquals(1, line.split("\n").length, "one line per event even with newlines and a stack trace");
        JsonNode n = new ObjectMapper().readTree(line);
        assertEquals("2025-01-01T00:00:00.123Z", n.get("time").asText());
        assertEquals("warn", n.get("level").asText());
        assertEquals("dev.easel.application.JobWorker", n.get("logger").asText());
        assertEquals("easel-worker-w1", n.get("thread").asText());
        assertEquals("quote \" backslash \\ newline\nend", n.get("message").asText());
        assertEquals("j1", n.at("/mdc/job").asText());
        assertTrue(n.get("error").asText().startsWith("java.lang.IllegalStateException: bad\tstate"), n.toString());
        assertTrue(n.get("error").asText().contains("at dev.easel.adapter.logging.EaselLogLayoutTest"));
    }

    @Test
    void runningPrivatePromptsAreMaskedInEveryLineAndEveryFormat() throws Exception {
        try (JobKit kit = JobKit.h2(dir.resolve("images"), 3, 20)) {
            Job job = kit.submitted("private-ann", "the secret garden at night --no moon");
            PrivatePrompts.register(job);
            try {
                for (EaselLogLayout.Format f : EaselLogLayout.Format.values()) {
                    EaselLogLayout.use(f);
                    String line = layout.doLayout(event(Level.ERROR, "engine said: {}",
                            new IllegalArgumentException("cannot tokenize 'the secret garden at night'"),
                            "prompt 'the secret garden at night' and negative 'moon'"));
                    assertFalse(line.contains("secret garden"), line);
                    assertFalse(line.contains("'moon'"), line);
                    assertTrue(line.contains(PrivatePrompts.MASK), line);
                }
            } finally {
                PrivatePrompts.unregister(job.id());
            }
        }
    }
}
