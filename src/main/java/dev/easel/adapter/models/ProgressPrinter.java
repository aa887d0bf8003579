package dev.easel.adapter.models;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Download progress on stderr: on a terminal one redrawn bar line (bytes, percent, speed, current file); elsewhere
 * (logs, CI, pipes) a plain line per file and one every 10% or 10 seconds, whichever comes first.
 */
public final class ProgressPrinter {
    public enum Mode {
        BAR, LINES
    }

    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LINE_EVERY_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final Mode mode;
    private final LongSupplier nanoTime;
    private long total;
    private long done;
    private long doneAtStart;
    private long startedAt;
    private long lastDraw;
    private int lastTenth = -1;
    private String file = "";
    private int lastWidth;

    public ProgressPrinter(PrintStream out, Mode mode, LongSupplier nanoTime) {
        this.out = out;
        this.mode = mode;
        this.nanoTime = nanoTime;
    }

    /** The bar when stdin and stdout are a terminal (System.console()), plain lines otherwise; EASEL_PROGRESS=bar|plain forces one. */
    public static ProgressPrinter forStderr() {
        String forced = System.getenv("EASEL_PROGRESS");
        Mode mode;
        if (forced != null && forced.equalsIgnoreCase("bar")) {
            mode = Mode.BAR;
        } else if (forced != null && forced.equalsIgnoreCase("plain")) {
            mode = Mode.LINES;
        } else {
            mode = System.console() != null ? Mode.BAR : Mode.LINES;
        }
        return new ProgressPrinter(System.err, mode, System::nanoTime);
    }

    /** Starts the whole transfer: {@code alreadyHave} bytes are on disk from an earlier, interrupted run. */
    public synchronized void start(long totalBytes, long alreadyHave, int files) {
        total = totalBytes;
        done = alreadyHave;
        doneAtStart = alreadyHave;
        startedAt = nanoTime.getAsLong();
        lastDraw = startedAt;
        out.println("downloading " + files + " files, " + bytes(totalBytes)
                + (alreadyHave > 0 ? " (" + bytes(alreadyHave) + " already here, resuming)" : ""));
    }

    public synchronized void file(String path, long size, long resumeAt) {
        file = path;
        if (mode == Mode.LINES) {
            out.println("  " + path + " (" + bytes(size) + (resumeAt > 0 ? ", resuming at " + bytes(resumeAt) : "")
                    + ")");
        } else {
            draw(true);
        }
    }

    public synchronized void advance(long n) {
        done += n;
        long now = nanoTime.getAsLong();
        if (mode == Mode.BAR) {
            if (now - lastDraw >= REDRAW_NANOS) {
                draw(false);
            }
        } else {
            int tenth = total > 0 ? (int) (done * 10 / total) : 0;
            if (tenth > lastTenth && lastTenth >= 0 || now - lastDraw >= LINE_EVERY_NANOS) {
                out.println("  " + status());
                lastDraw = now;
            }
            lastTenth = Math.max(lastTenth, tenth);
        }
    }

    /** Bytes that were counted but thrown away (a restart after a server ignored Range). */
    public synchronized void rewind(long n) {
        done = Math.max(0, done - n);
    }

    public synchronized void note(String message) {
        clearBar();
        out.println("  " + message);
        if (mode == Mode.BAR) {
            draw(true);
        }
    }

    public synchronized void finish() {
        if (mode == Mode.BAR) {
            draw(true);
            out.println();
            lastWidth = 0;
        }
        long elapsed = nanoTime.getAsLong() - startedAt;
        out.println("downloaded " + bytes(done - doneAtStart) + " in " + String.format(Locale.ROOT, "%.1f s", elapsed / 1e9)
                + " (" + speed(elapsed) + ")");
    }

    /** Ends a bar line before an error message. */
    public synchronized void abort() {
        clearBar();
    }

    private void clearBar() {
        if (mode == Mode.BAR && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
    }

    /** "45%  1.2 GiB / 2.7 GiB  85.3 MiB/s" */
    String status() {
        long elapsed = nanoTime.getAsLong() - startedAt;
        return percent() + "%  " + bytes(done) + " / " + bytes(total) + "  " + speed(elapsed);
    }

    private int percent() {
        return total > 0 ? (int) Math.min(100, done * 100 / total) : 100;
    }

    private void draw(boolean force) {
        long now = nanoTime.getAsLong();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int filled = total > 0 ? (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total) : BAR_WIDTH;
        String line = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + String.format(Locale.ROOT,
                "%3d%%", percent()) + "  " + bytes(done) + " / " + bytes(total) + "  " + speed(now - startedAt) + "  "
                + file;
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastWidth = line.length();
    }

    private String speed(long elapsedNanos) {
        if (elapsedNanos <= 0) {
            return "- /s";
        }
        return bytes(Math.round((done - doneAtStart) / (elapsedNanos / 1e9))) + "/s";
    }

    /** 1023 B, 1.5 KiB, 3.2 GiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
