package dev.easel.adapter.models;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ProgressPrinterTest {
    private final long[] now = {0};
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private ProgressPrinter printer(ProgressPrinter.Mode mode) {
        return new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, () -> now[0]);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesForLogsEveryTenPercentWithBytesPercentAndSpeed() {
        ProgressPrinter p = printer(ProgressPrinter.Mode.LINES);
        long mib = 1 << 20;
        p.start(100 * mib, 0, 2);
        p.file("unet/diffusion_pytorch_model.safetensors", 100 * mib, 0);
        for (int i = 1; i <= 20; i++) {
            now[0] += 500_000_000L; // 5 MiB every half second = 10 MiB/s
            p.advance(5 * mib);
        }
        p.finish();
        assertEquals("""
                downloading 2 files, 100.0 MiB
                  unet/diffusion_pytorch_model.safetensors (100.0 MiB)
                  10%  10.0 MiB / 100.0 MiB  10.0 MiB/s
                  20%  20.0 MiB / 100.0 MiB  10.0 MiB/s
                  30%  30.0 MiB / 100.0 MiB  10.0 MiB/s
                  40%  40.0 MiB / 100.0 MiB  10.0 MiB/s
                  50%  50.0 MiB / 100.0 MiB  10.0 MiB/s
                  60%  60.0 MiB / 100.0 MiB  10.0 MiB/s
                  70%  70.0 MiB / 100.0 MiB  10.0 MiB/s
                  80%  80.0 MiB / 100.0 MiB  10.0 MiB/s
                  90%  90.0 MiB / 100.0 MiB  10.0 MiB/s
                  100%  100.0 MiB / 100.0 MiB  10.0 MiB/s
                downloaded 100.0 MiB in 10.0 s (10.0 MiB/s)
                """, text());
    }

    @Test
    void aResumedTransferCountsItsSpeedFromWhatArrivesNow() {
        ProgressPrinter p = printer(ProgressPrinter.Mode.LINES);
        p.start(1000, 600, 1);
        p.file("vae/diffusion_pytorch_model.safetensors", 1000, 600);
        now[0] = 2_000_000_000L;
        p.advance(400);
        p.finish();
        assertTrue(text().startsWith("downloading 1 files, 1000 B (600 B already here, resuming)\n"
                + "  vae/diffusion_pytorch_model.safetensors (1000 B, resuming at 600 B)\n"), text());
        assertTrue(text().endsWith("downloaded 400 B in 2.0 s (200 B/s)\n"), text());
    }

    @Test
    void theTerminalBarRedrawsOneLineAtMostTenTimesASecond() {
        ProgressPrinter p = printer(ProgressPrinter.Mode.BAR);
        p.start(1000, 0, 1);
        p.file("unet/x.safetensors", 1000, 0);
        for (int i = 0; i < 9; i++) {
            now[0] += 10_000_000L; // within 100 ms of the last draw: no redraw
            p.advance(10);
        }
        now[0] += 200_000_000L;
        p.advance(410); // 500 B in 0.29 s
        String t = text();
        long redraws = t.chars().filter(c -> c == '\r').count();
        assertEquals(2, redraws, "the file line and one redraw: " + t);
        assertTrue(t.endsWith("\r[############------------]  50%  500 B / 1000 B  1.7 KiB/s  unet/x.safetensors"), t);
        assertEquals("1.5 KiB", ProgressPrinter.bytes(1536));
        assertEquals("3.2 GiB", ProgressPrinter.bytes(3_438_167_536L));
    }
}
