package dev.easel.application;

import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs jobs on one engine (one per GPU): the only caller of {@link ImageGenerator}.
 *
 * <p>Loop: recover orphaned jobs, claim the next job (plus compatible text-to-image jobs, merged into one engine
 * call when the engine says a bigger batch pays), generate, store the images and the grid, then mark the job DONE
 * and commit its charge in one transaction (FAILED or CANCELLED: refund). A failure fails only its job: a merged
 * call that fails, or runs out of memory, is retried one job at a time. Running jobs are heartbeated so that
 * another worker can take them over if this one dies.
 */
public final class JobWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final WorkerSettings settings;
    private final FairJobQueue queue;
    private final JobRepository jobs;
    private final TransactionRunner transactions;
    private final ImageGenerator generator;
    private final ImageStore images;
    private final JobNotifier notifier;
    private final QuotaGate quota;
    private final CancelSignals cancels;
    private final WorkSignal signal;
    private final Clock clock;

    private final Set<JobId> current = ConcurrentHashMap.newKeySet();
    private final Set<JobId> stopFlags = ConcurrentHashMap.newKeySet();
    private volatile long lastCancelPoll;
    private volatile boolean stopping;
    private Instant lastRecovery = Instant.MIN;
    private Thread thread;
    private ScheduledExecutorService heartbeats;

    public JobWorker(WorkerSettings settings, FairJobQueue queue, JobRepository jobs, TransactionRunner transactions,
                     ImageGenerator generator, ImageStore images, JobNotifier notifier, QuotaGate quota,
                     CancelSignals cancels, WorkSignal signal, Clock clock) {
        this.settings = settings;
        this.queue = queue;
        this.jobs = jobs;
        this.transactions = transactions;
        this.generator = generator;
        this.images = images;
        this.notifier = notifier;
        this.quota = quota;
        this.cancels = cancels;
        this.signal = signal;
        this.clock = clock;
    }

    public String id() {
        return settings.workerId();
    }

    /** Starts the worker thread (and its heartbeat). */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("worker " + id() + " already started");
        }
        startHeartbeats();
        thread = new Thread(() -> loop(null), "easel-worker-" + id());
        thread.start();
    }

    /**
     * Works in the calling thread until no job could be started for {@code idle}, then returns (used by the
     * {@code worker --exit-when-idle} mode and by benchmarks).
     */
    public void runUntilIdle(Duration idle) {
        startHeartbeats();
        try {
            loop(idle);
        } finally {
            heartbeats.shutdownNow();
        }
    }

    /** Asks the loop to stop after the current batch and waits for it. */
    @Override
    public void close() {
        stopping = true;
        signal.notifyWork();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
    }

    private synchronized void startHeartbeats() {
        long every = settings.heartbeatInterval().toMillis();
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "easel-heartbeat-" + id());
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    private void loop(Duration exitWhenIdle) {
        long idleSince = System.nanoTime();
        while (!stopping) {
            try {
                if (Duration.between(lastRecovery, clock.instant()).compareTo(settings.recoveryInterval()) >= 0) {
                    recover();
                }
                if (runOnce()) {
                    idleSince = System.nanoTime();
                } else {
                    if (exitWhenIdle != null && System.nanoTime() - idleSince >= exitWhenIdle.toNanos()) {
                        return;
                    }
                    signal.await(exitWhenIdle == null ? settings.pollInterval()
                            : min(settings.pollInterval(), exitWhenIdle));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("worker {}: {}; retrying after {} ms", id(), e.toString(), settings.pollInterval().toMillis(), e);
                try {
                    Thread.sleep(settings.pollInterval().toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Takes care of RUNNING jobs nobody runs: this worker's own (it restarted) and any whose heartbeat is older
     * than the lease. Each goes back to the queue if it has attempts left; otherwise it FAILS (refund). A job
     * whose stop was requested is CANCELLED (refund). Returns how many were handled.
     */
    public int recover() {
        Instant now = clock.instant();
        lastRecovery = now;
        List<Job> orphans = transactions.inTransaction(tx ->
                jobs.findOrphans(id(), now.minus(settings.leaseTimeout()), tx));
        int handled = 0;
        for (Job orphan : orphans) {
            Job after;
            if (orphan.cancelRequested()) {
                after = orphan.cancel(now);
            } else if (orphan.attempts() >= settings.maxAttempts()) {
                after = orphan.fail("the worker stopped while making this job " + orphan.attempts()
                        + " times; giving up so it cannot stop the queue again", now);
            } else {
                after = orphan.requeue();
            }
            boolean applied = transactions.inTransaction(tx -> {
                if (!jobs.transition(orphan, after, tx)) {
                    return false;
                }
                switch (after.status()) {
                    case FAILED -> quota.refund(orphan.reservationId(), after.failureReason(), tx);
                    case CANCELLED -> quota.refund(orphan.reservationId(), "cancelled", tx);
                    default -> {
                    }
                }
                return true;
            });
            if (applied) {
                handled++;
                log.info("worker {}: recovered job {} (attempt {}, worker {}) → {}", id(), orphan.id(),
                        orphan.attempts(), orphan.workerId(), after.status());
                switch (after.status()) {
                    case FAILED -> safely(() -> notifier.failed(after));
                    case CANCELLED -> safely(() -> notifier.cancelled(after));
                    default -> signal.notifyWork();
                }
            }
        }
        return handled;
    }

    /** Claims and runs one batch; false when nothing could be started. */
    public boolean runOnce() {
        List<Job> batch = queue.claimNext(id(), this::batchLimit, settings.mergeLookahead());
        if (batch.isEmpty()) {
            return false;
        }
        batch.forEach(j -> current.add(j.id()));
        try {
            for (Job job : batch) {
                safely(() -> notifier.started(job));
            }
            if (batch.size() == 1) {
                runAlone(batch.get(0));
            } else {
                runMerged(batch);
            }
        } finally {
            for (Job job : batch) {
                current.remove(job.id());
                stopFlags.remove(job.id());
                cancels.clear(job.id());
            }
        }
        return true;
    }

    private int batchLimit(int width, int height) {
        return Math.max(1, Math.min(settings.maxBatchImages(), generator.maxBatchImages(width, height)));
    }

    private void runMerged(List<Job> batch) {
        List<GenerationRequest> requests = batch.stream().map(this::request).toList();
        long start = System.nanoTime();
        List<GenerationResult> results;
        try {
            results = generator.generate(requests);
            if (results.size() != requests.size()) {
                throw new IllegalStateException("the engine answered " + results.size() + " of " + requests.size()
                        + " requests");
            }
        } catch (GenerationOutOfMemoryException e) {
            log.warn("worker {}: out of memory on {} merged jobs ({}); running them one by one", id(), batch.size(),
                    e.reason());
            batch.forEach(this::runAlone);
            return;
        } catch (GenerationFailedException | RuntimeException e) {
            log.warn("worker {}: merged batch of {} jobs failed ({}); running them one by one", id(), batch.size(),
                    e.getMessage());
            batch.forEach(this::runAlone);
            return;
        }
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        double totalCost = batch.stream().mapToDouble(JobWorker::cost).sum();
        for (int i = 0; i < batch.size(); i++) {
            Job job = batch.get(i);
            finish(job, results.get(i), Math.round(elapsed * cost(job) / totalCost));
        }
    }

    private static double cost(Job job) {
        return (double) job.params().steps() * job.imageCount() * job.params().pixels();
    }

    private void runAlone(Job job) {
        GenerationRequest request;
        try {
            request = request(job);
        } catch (ImageStoreException e) {
            fail(job, "the image this job starts from could not be read (" + e.getMessage() + ")");
            return;
        }
        long start = System.nanoTime();
        try {
            List<GenerationResult> results = generator.generate(List.of(request));
            if (results.size() != 1) {
                throw new IllegalStateException("the engine answered " + results.size() + " results for 1 request");
            }
            finish(job, results.get(0), (System.nanoTime() - start) / 1_000_000);
        } catch (GenerationOutOfMemoryException e) {
            GenerationParams p = job.params();
            fail(job, "the image engine ran out of memory making " + job.imageCount() + " image"
                    + (job.imageCount() == 1 ? "" : "s") + " of " + p.width() + "x" + p.height()
                    + "; try a smaller --size");
        } catch (GenerationFailedException e) {
            fail(job, e.reason());
        } catch (RuntimeException e) {
            log.error("worker {}: job {} failed", id(), job.id(), e);
            fail(job, "the image engine failed unexpectedly: " + e.getMessage());
        }
    }

    private GenerationRequest request(Job job) {
        GenerationParams p = job.params();
        ProgressListener listener = listener(job);
        return switch (job.mode()) {
            case TEXT_TO_IMAGE -> new GenerationRequest.TextToImage(p, p.candidates(), listener);
            case IMAGE_TO_IMAGE -> new GenerationRequest.ImageToImage(p, images.load(job.origin().sourceImageId()),
                    p.strength(), p.candidates(), listener);
            case UPSCALE -> new GenerationRequest.Upscale(p, images.load(job.origin().sourceImageId()),
                    settings.upscaleScale(), p.strength(), p.candidates().get(0), listener);
        };
    }

    private ProgressListener listener(Job job) {
        int every = settings.previewEverySteps();
        return new ProgressListener() {
            @Override
            public boolean onStep(int step, int totalSteps, BufferedImage preview) {
                safely(() -> notifier.progress(job, step, totalSteps, preview));
                return !stopRequested(job.id());
            }

            @Override
            public boolean wantsPreview(int step, int totalSteps) {
                return every > 0 && step % every == 0 && step < totalSteps;
            }
        };
    }

    /** In-process signal at once; other processes' stop flags from the database at most every poll interval. */
    private boolean stopRequested(JobId id) {
        if (cancels.isRequested(id) || stopFlags.contains(id)) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastCancelPoll >= settings.cancelPollInterval().toNanos()) {
            lastCancelPoll = now;
            try {
                stopFlags.addAll(transactions.inTransaction(tx -> jobs.cancelRequested(List.copyOf(current), tx)));
            } catch (RuntimeException e) {
                log.warn("worker {}: could not read stop flags: {}", id(), e.toString());
            }
        }
        return stopFlags.contains(id);
    }

    private void finish(Job job, GenerationResult result, long runMillis) {
        if (result instanceof GenerationResult.Cancelled cancelled) {
            Job after = job.cancel(clock.instant());
            boolean applied = transactions.inTransaction(tx -> {
                if (!jobs.transition(job, after, tx)) {
                    return false;
                }
                quota.refund(job.reservationId(), "cancelled at step " + cancelled.atStep(), tx);
                return true;
            });
            if (applied) {
                safely(() -> notifier.cancelled(after));
            }
            return;
        }
        List<BufferedImage> made = ((GenerationResult.Images) result).images();
        if (made.size() != job.imageCount()) {
            fail(job, "the image engine returned " + made.size() + " images instead of " + job.imageCount());
            return;
        }
        List<String> ids = new ArrayList<>(made.size());
        String gridId = null;
        try {
            List<Candidate> candidates = job.params().candidates();
            for (int i = 0; i < made.size(); i++) {
                ids.add(images.save(job.id(), Integer.toString(i), made.get(i), metadata(job, candidates.get(i))));
            }
            if (made.size() > 1) {
                gridId = images.save(job.id(), "grid", ImageGrid.compose(made), metadata(job, null));
            }
        } catch (ImageStoreException e) {
            fail(job, "the images could not be stored (" + e.getMessage() + ")");
            return;
        }
        Job done = job.complete(ids, gridId, clock.instant());
        boolean applied = transactions.inTransaction(tx -> {
            if (!jobs.transition(job, done, tx)) {
                return false;
            }
            jobs.recordRunTime(job.id(), runMillis, tx);
            quota.commit(job.reservationId(), tx);
            return true;
        });
        if (applied) {
            safely(() -> notifier.completed(done));
        } else {
            log.warn("worker {}: job {} was taken over while running (lost heartbeat?); its result is dropped",
                    id(), job.id());
        }
    }

    private void fail(Job job, String reason) {
        Job failed = job.fail(reason, clock.instant());
        boolean applied = transactions.inTransaction(tx -> {
            if (!jobs.transition(job, failed, tx)) {
                return false;
            }
            quota.refund(job.reservationId(), reason, tx);
            return true;
        });
        if (applied) {
            log.info("worker {}: job {} failed: {}", id(), job.id(), reason);
            safely(() -> notifier.failed(failed));
        }
    }

    /** What every stored PNG carries, so that any image can be reproduced. */
    static Map<String, String> metadata(Job job, Candidate candidate) {
        Map<String, String> m = ImageMetadata.of(job.params(), candidate, job.seed());
        m.put("job", job.id().value());
        m.put("kind", job.kind().name());
        return m;
    }

    private void heartbeat() {
        if (current.isEmpty()) {
            return;
        }
        try {
            List<JobId> ids = List.copyOf(current);
            transactions.run(tx -> jobs.heartbeat(ids, id(), clock.instant(), tx));
        } catch (RuntimeException e) {
            log.warn("worker {}: heartbeat failed: {}", id(), e.toString());
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("job notifier failed: {}", e.toString(), e);
        }
    }
}
