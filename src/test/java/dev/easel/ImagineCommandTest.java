package dev.easel;

import dev.easel.sd.image.ImageParameters;
import dev.easel.sd.image.Png;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** `easel imagine` end to end: the golden per-seed runs reproduced from their command lines. */
class ImagineCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    Run imagine(Path modelsDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ImagineCommand.run(args, modelsDir, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim-square", "euler_a-negative"})
    void reproducesDiffusersSeededRunsFromTheCommandLine(String name) throws IOException {
        // given the case's own command line, e.g. "a red fox in the snow --seed 1234 --steps 12 … --no blurry, low quality"
        Path dir = Golden.path("seeded/" + name);
        String line = JsonConfig.read(dir.resolve("case.json")).getString("command_line", null);
        Path out = tmp.resolve(name);
        // when easel imagine runs it on the tiny pipeline
        Run r = imagine(tmp, line, "--model", Golden.path("pipeline").toString(), "--out", out.toString(), "--device", "cpu");
        // then it succeeds, lists the files and the seed, and image-i equals diffusers' image for seed S + i − 1
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(out.resolve("grid.png").toString()), r.out());
        long seed = (long) JsonConfig.read(dir.resolve("case.json")).getDouble("seed", 0);
        assertTrue(r.out().contains("seed " + seed), r.out());
        assertTrue(r.out().matches("(?s).*time: load \\d+ ms, text encoder \\d+ ms, denoise \\d+ ms.*"), r.out());
        for (int i = 1; i <= 4; i++) {
            BufferedImage golden = ImageIO.read(dir.resolve("image-" + i + ".png").toFile());
            byte[] png = Files.readAllBytes(out.resolve("image-" + i + ".png"));
            assertTrue(Golden.maxPixelDiff(golden, Png.readImage(png)) <= 1, name + " image " + i);
            ImageParameters p = Png.readParameters(png).orElseThrow();
            assertEquals(seed + i - 1, p.seed(), "each image records its own seed");
        }
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertEquals(128, grid.getWidth(), "2×2 grid of 64 px candidates");
    }

    @Test
    void withoutAModelItSaysHowToGetOne() {
        Run r = imagine(tmp.resolve("models"), "a cat");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("scripts/easel models pull stable-diffusion-v1-5/stable-diffusion-v1-5"), r.err());
        assertTrue(r.err().contains("--demo"), r.err());
    }

    @Test
    void badParametersAreNamedAndNothingIsWritten() {
        Path out = tmp.resolve("bad");
        Run r = imagine(tmp, "a cat --chaos 300", "--demo", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--chaos") && r.err().contains("300"), r.err());
        assertFalse(Files.exists(out));
        Run unknown = imagine(tmp, "a cat --wings 2", "--demo");
        assertTrue(unknown.err().contains("unknown parameter --wings"), unknown.err());
        Run extra = imagine(tmp, "a cat", "--ar", "3:2", "--demo");
        assertEquals(2, extra.code());
        assertTrue(extra.err().contains("one quoted argument"), extra.err());
    }

    @Test
    void demoRunsTheWholePathOffline() throws IOException {
        Path out = tmp.resolve("demo");
        Run r = imagine(tmp, "a lighthouse --steps 3 --seed 9 --tile", "--demo", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("demo"), r.out());
        ImageParameters p = Png.readParameters(Files.readAllBytes(out.resolve("image-2.png"))).orElseThrow();
        assertEquals(10, p.seed());
        assertEquals("True", p.extra().get("Tiling"));
    }
}
