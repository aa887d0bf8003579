package dev.easel.adapter.web;

import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web side of {@link JobNotifier}: remembers each running job's latest step and preview (for the console's
 * live view and the admin page) and wakes the live-update streams when anything happens. Jobs run by workers in
 * other processes are not seen here; the streams also read the database, so those still update, without
 * previews.
 *
 * <p>Pass it to the job service together with the other adapters' notifiers ({@code JobNotifier.both}).
 */
public final class WebJobEvents implements JobNotifier {
    private static final Logger log = LoggerFactory.getLogger(WebJobEvents.class);
    private static final Duration STALE = Duration.ofHours(1);

    /**
     * @param step    steps done (0 = just started)
     * @param total   steps this run takes; 0 until the first step reports it
     * @param preview PNG of the latest preview, or null
     * @param version increases with every new preview (for cache-busting URLs)
     */
    public record Progress(int step, int total, byte[] preview, int version, Instant at) {
    }

    private final Clock clock;
    private final Map<JobId, Progress> progress = new ConcurrentHashMap<>();
    private final Object changed = new Object();
    private long generation;

    public WebJobEvents(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void started(Job job) {
        progress.put(job.id(), new Progress(0, 0, null, 0, clock.instant()));
        bump();
    }

    @Override
    public void progress(Job job, int step, int totalSteps, BufferedImage preview) {
        Progress before = progress.get(job.id());
        byte[] png = before == null ? null : before.preview();
        int version = before == null ? 0 : before.version();
        if (preview != null) {
            png = encode(preview);
            version++;
        }
        progress.put(job.id(), new Progress(step, totalSteps, png, version, clock.instant()));
        bump();
    }

    @Override
    public void completed(Job job) {
        ended(job);
    }

    @Override
    public void failed(Job job) {
        ended(job);
    }

    @Override
    public void cancelled(Job job) {
        ended(job);
    }

    private void ended(Job job) {
        progress.remove(job.id());
        bump();
    }

    /** The job's latest progress while it runs in this process. */
    public Optional<Progress> progress(JobId id) {
        Progress p = progress.get(id);
        if (p != null && Duration.between(p.at(), clock.instant()).compareTo(STALE) > 0) {
            progress.remove(id, p); // its worker went away without a word
            return Optional.empty();
        }
        return Optional.ofNullable(p);
    }

    /** Wakes the streams (something changed that the database will show: a submission, a press, a cancel). */
    public void bump() {
        synchronized (changed) {
            generation++;
            changed.notifyAll();
        }
    }

    /** A number that changes whenever something happened. */
    public long generation() {
        synchronized (changed) {
            return generation;
        }
    }

    /** Waits until the generation differs from {@code seen} or the time is up; returns the current generation. */
    public long awaitChange(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (generation == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.wait(Math.max(1, left / 1_000_000));
            }
            return generation;
        }
    }

    private static byte[] encode(BufferedImage image) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            log.warn("cannot encode a preview: {}", e.toString());
            return null;
        }
    }
}
