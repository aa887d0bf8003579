package dev.easel.adapter.web;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.testing.Golden;
import dev.easel.testing.browser.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Makes the README's picture of the console (docs/console.png) with the real engine on the tiny test model:
 * {@code mvn -o test -Dtest=ConsoleScreenshotTest -Deasel.screenshot=docs/console.png}.
 */
@EnabledIfSystemProperty(named = "easel.screenshot", matches = ".+")
class ConsoleScreenshotTest {
    @TempDir
    Path dir;

    @Test
    void consoleWithAGeneratedGrid() throws Exception {
        Chromium.require();
        Path out = Path.of(System.getProperty("easel.screenshot"));
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(Golden.path("pipeline"), Device.cpu(),
                DataType.FLOAT32, null)) {
            DjlImageGenerator engine = new DjlImageGenerator(pipe, "tiny", DjlImageGenerator.defaultBatchPixels(false));
            try (WebFixture web = new WebFixture(dir, new WebFixture.Options().engine(engine).steps(8));
                 Chromium browser = Chromium.start(1100, 860)) {
                browser.open(web.url("/console"));
                browser.await("the plan line", "document.querySelector('#who').textContent.includes('Standard')",
                        Duration.ofSeconds(15));
                browser.type("#prompt", "a red fox in the snow --seed 1234 --cfg 6 --no blurry, low quality");
                browser.click("#send");
                browser.await("the grid", "document.querySelector('img.grid-image')?.naturalWidth > 0",
                        Duration.ofSeconds(60));
                browser.eval("document.querySelector('#messages').scrollTop = 0");
                byte[] png = browser.screenshot();
                BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
                assertEquals(1100, shot.getWidth());
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.write(out, png);
            }
        }
    }
}
