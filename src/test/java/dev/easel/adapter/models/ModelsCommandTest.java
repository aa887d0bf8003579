package dev.easel.adapter.models;

import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The {@code easel models} command line: pull, list, remove, import, and its messages and exit codes. */
class ModelsCommandTest {
    @TempDir
    Path dir;
    private FakeHub hub;
    private FakeHub.Repo repo;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        hub = new FakeHub();
        repo = hub.add("easel-test/tiny-sd", Golden.path("pipeline"), Map.of(), false);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--config", dir.resolve("absent.yaml").toString()));
        PrintStream progress = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return ModelsCommand.run(a, Map.of("EASEL_MODEL_MODELS_DIR", dir.resolve("models").toString(),
                        "HF_ENDPOINT", hub.endpoint().toString(), "EASEL_MODEL_NAME", "tiny-sd"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ProgressPrinter(progress, ProgressPrinter.Mode.LINES, System::nanoTime));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pullListRemove() throws Exception {
        assertEquals(0, run("list"));
        assertEquals("no models in " + dir.resolve("models") + ": easel models pull"
                + " stable-diffusion-v1-5/stable-diffusion-v1-5\n", out());

        assertEquals(0, run("pull", "easel-test/tiny-sd"), err());
        assertEquals("installed easel-test/tiny-sd (commit " + repo.commit().substring(0, 12) + ") as "
                + dir.resolve("models/tiny-sd") + ": 12 files\n", out());

        Files.createDirectories(dir.resolve("models/.partial-other/unet"));
        Files.write(dir.resolve("models/.partial-other/unet/x.part"), new byte[2048]);
        assertEquals(0, run("list"));
        String[] lines = out().split("\n");
        assertTrue(lines[0].matches("NAME +ARCH +SIZE +SOURCE +LICENCE"), lines[0]);
        assertTrue(lines[1].matches("tiny-sd \\* +custom \\(cross-attention 32\\) +\\d+\\.\\d MiB +easel-test/tiny-sd@"
                + repo.commit().substring(0, 7) + " +creativeml-openrail-m"), lines[1]);
        assertEquals("* = model.name, the model the worker loads", lines[2]);
        assertEquals("unfinished: " + dir.resolve("models/.partial-other") + " (2.0 KiB so far): run the same pull"
                + " again to resume, or easel models remove other", lines[3]);

        assertEquals(0, run("remove", "tiny-sd"));
        assertEquals("removed tiny-sd\n", out());
        assertFalse(Files.exists(dir.resolve("models/tiny-sd")));
        assertEquals(0, run("remove", "other"));
        assertFalse(Files.exists(dir.resolve("models/.partial-other")));
        assertEquals(2, run("remove", "tiny-sd"));
        assertTrue(err().startsWith("easel models remove: no model named tiny-sd in "), err());
    }

    @Test
    void failuresExitWithTheReason() {
        assertEquals(1, run("pull", "nobody/nothing"));
        assertTrue(err().startsWith("easel models pull: model nobody/nothing not found on " + hub.endpoint()), err());
        assertEquals(2, run("pull"));
        assertTrue(err().startsWith("easel models pull: expected one repo id (owner/name)"), err());
        assertEquals(2, run("pull", "a/b", "--shiny"));
        assertTrue(err().startsWith("easel models pull: unknown option --shiny"), err());
        assertEquals(2, run("remove", "../etc"));
        assertTrue(err().contains("model name '../etc' is not allowed"), err());
        assertEquals(1, run("import", dir.resolve("nope.safetensors").toString()));
        assertEquals("easel models import: " + dir.resolve("nope.safetensors") + ": no such file\n", err());
        assertEquals(2, run("frobnicate"));
        assertTrue(err().startsWith("easel models: unknown command 'frobnicate'"));
    }

    @Test
    void aPulledModelNotConfiguredYetSaysHowToUseIt() {
        out.reset();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = ModelsCommand.run(List.of("pull", "easel-test/tiny-sd", "--name", "mine", "--config",
                        dir.resolve("absent.yaml").toString()),
                Map.of("EASEL_MODEL_MODELS_DIR", dir.resolve("models").toString(), "HF_ENDPOINT", hub.endpoint().toString()),
                o, o, new ProgressPrinter(new PrintStream(new ByteArrayOutputStream()), ProgressPrinter.Mode.LINES,
                        System::nanoTime));
        assertEquals(0, code, out());
        assertTrue(out().contains("to use it: set model.name: mine in " + dir.resolve("absent.yaml")
                + " (or EASEL_MODEL_NAME=mine)"), out());
    }
}
