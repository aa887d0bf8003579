package dev.easel;

import dev.easel.adapter.web.ApiKeys;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WebCommandTest {
    @Test
    void optionsParse() {
        WebCommand.Options o = WebCommand.parse(List.of("--config", "e.yaml", "--plans", "p.yaml", "--bind", "0.0.0.0",
                "--port", "9090", "--workers", "0", "--fake-engine", "--fake-step-ms", "5"));
        assertEquals(new WebCommand.Options(Path.of("e.yaml"), Path.of("p.yaml"), "0.0.0.0", 9090, 0, true, 5, null,
                false), o);
        assertEquals("--port must be a whole number 0..65535; got '70000'", assertThrows(IllegalArgumentException.class,
                () -> WebCommand.parse(List.of("--port", "70000"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebCommand.parse(List.of("--tls")))
                .getMessage().startsWith("unknown option --tls"));
    }

    @Test
    void keyHelpersPrintADigestForTheConfig() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, WebCommand.run(List.of("--hash-key", "esl_example"), null, ps, System.err));
        assertEquals(ApiKeys.sha256("esl_example"), out.toString(StandardCharsets.UTF_8).strip());
        out.reset();
        assertEquals(0, WebCommand.run(List.of("--new-key"), null, ps, System.err));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        String key = lines[0].substring("key:".length()).strip();
        assertTrue(key.startsWith("esl_"), key);
        assertEquals("sha256: " + ApiKeys.sha256(key), lines[1].strip());
    }

    @Test
    void withoutAnEngineItSaysHowToGetOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WebCommand.run(List.of("--config", "missing.yaml"), null, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("pass --fake-engine"), err.toString());
    }
}
