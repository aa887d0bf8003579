package dev.easel.adapter.discord;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.sd.image.Resize;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.GuildMessageChannel;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.exceptions.PermissionException;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import net.dv8tion.jda.api.utils.messages.MessageEditData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Shows a job's progress on its status message and delivers its outcome. Delivery is driven by the job's stored
 * state: whenever a job with a pending {@link Delivery} is found finished (told by the in-process notifier, or by
 * the periodic sweep, which also covers workers in other processes and bot restarts), its result is posted; a
 * failed post is retried with growing pauses.
 *
 * <p>Where a result goes: while the interaction token lives (15 minutes, less a margin) as a follow-up of the
 * interaction (ephemeral for private members); afterwards as a channel message mentioning the owner, or by DM for
 * private members, DMs, and when the channel cannot be used. A private result never goes to a channel.
 */
final class Deliverer {
    private static final Logger log = LoggerFactory.getLogger(Deliverer.class);
    static final int MAX_ATTEMPTS = 8;
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration MAX_RETRY = Duration.ofMinutes(10);
    /** Previews are shown with sides between these (latent previews are tiny). */
    private static final int PREVIEW_MIN_SIDE = 128;
    private static final int PREVIEW_MAX_SIDE = 256;
    private static final int SWEEP_BATCH = 100;
    private static final int FOREIGN_CAPACITY = 1_000;

    private final BotContext ctx;
    private final StatusBoard board;
    private final Map<JobId, Delivery> active = new ConcurrentHashMap<>();
    /** Jobs known to have no delivery (made elsewhere: command line, web), so progress does not query every step. */
    private final Map<JobId, Boolean> foreign = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<JobId, Boolean> eldest) {
            return size() > FOREIGN_CAPACITY;
        }
    };
    private final Set<JobId> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<JobId> again = ConcurrentHashMap.newKeySet();

    Deliverer(BotContext ctx) {
        this.ctx = ctx;
        this.board = new StatusBoard(ctx.timer, ctx.settings.progressInterval());
    }

    /** Remembers a new delivery (so progress needs no lookup) and delivers at once if its job already finished. */
    void track(Delivery d) {
        active.put(d.jobId(), d);
        synchronized (foreign) {
            foreign.remove(d.jobId());
        }
    }

    private Optional<Delivery> lookup(JobId id) {
        Delivery d = active.get(id);
        if (d != null) {
            return Optional.of(d);
        }
        synchronized (foreign) {
            if (foreign.containsKey(id)) {
                return Optional.empty();
            }
        }
        Optional<Delivery> found = ctx.services.deliveries().find(id).filter(x -> x.state() == Delivery.State.PENDING);
        if (found.isPresent()) {
            active.putIfAbsent(id, found.get());
        } else {
            synchronized (foreign) {
                foreign.put(id, Boolean.TRUE);
            }
        }
        return found;
    }

    // ---- the status message -----------------------------------------------------------------------------------

    private CompletableFuture<Boolean> status(Delivery d, MessageEditData data, boolean isFinal) {
        if (!ctx.connected() || !d.tokenUsable(ctx.clock.instant())) {
            return CompletableFuture.completedFuture(false);
        }
        String token = d.interactionToken();
        return board.offer(d.jobId(), () -> InteractionHook.from(ctx.jda(), token).editOriginal(data).submit(), isFinal);
    }

    /** The status message of the job was just edited directly (its first edit): later edits keep the interval. */
    void statusShown(JobId id) {
        board.markSent(id);
    }

    void started(Job job) {
        lookup(job.id()).ifPresent(d -> status(d, Views.status(BotMessages.running(job, 0, 0, job.params().steps()),
                job.id(), null), false));
    }

    void progress(Job job, int step, int totalSteps, BufferedImage preview) {
        Optional<Delivery> d = lookup(job.id());
        if (d.isEmpty()) {
            return;
        }
        int percent = totalSteps <= 0 ? 0 : (int) Math.min(99, Math.round(100.0 * step / totalSteps));
        FileUpload file = preview == null ? null : previewFile(preview, d.get().uploadLimit());
        status(d.get(), Views.status(BotMessages.running(job, percent, step, totalSteps), job.id(), file), false);
    }

    void stopping(Job job) {
        lookup(job.id()).ifPresent(d -> status(d, Views.status(BotMessages.stopping(job), null, null), false));
    }

    private static FileUpload previewFile(BufferedImage preview, long limit) {
        int w = preview.getWidth();
        int h = preview.getHeight();
        int side = Math.max(w, h);
        double scale = side < PREVIEW_MIN_SIDE ? (double) PREVIEW_MIN_SIDE / side
                : side > PREVIEW_MAX_SIDE ? (double) PREVIEW_MAX_SIDE / side : 1.0;
        BufferedImage img = scale == 1.0 ? preview
                : Resize.resize(preview, Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale)));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.size() <= limit ? FileUpload.fromData(out.toByteArray(), "preview.png") : null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---- delivery ---------------------------------------------------------------------------------------------

    /** Delivers the job's outcome soon (on the delivery executor) if it has finished. */
    void kick(JobId id) {
        try {
            ctx.deliveries.execute(() -> deliver(id));
        } catch (RejectedExecutionException e) {
            log.debug("not delivering {}: shutting down", id);
        }
    }

    /** Looks for finished jobs whose delivery is due (called periodically). */
    void sweep() {
        if (!ctx.connected()) {
            return;
        }
        try {
            for (Delivery d : ctx.services.deliveries().due(ctx.clock.instant(), SWEEP_BATCH)) {
                kick(d.jobId());
            }
        } catch (RuntimeException e) {
            log.warn("delivery sweep failed: {}", e.toString());
        }
    }

    void deliver(JobId id) {
        if (!inFlight.add(id)) {
            again.add(id);
            return;
        }
        try {
            deliverNow(id);
        } catch (RuntimeException e) {
            log.warn("delivery of job {} failed: {}", id, e.toString(), e);
        } finally {
            inFlight.remove(id);
            if (again.remove(id)) {
                kick(id);
            }
        }
    }

    private void deliverNow(JobId id) {
        if (!ctx.connected()) {
            return;
        }
        DeliveryStore store = ctx.services.deliveries();
        Delivery d = store.find(id).orElse(null);
        if (d == null || d.state() != Delivery.State.PENDING) {
            active.remove(id);
            return;
        }
        Instant now = ctx.clock.instant();
        if (d.nextAttemptAt().isAfter(now) && d.attempts() > 0) {
            return;
        }
        Optional<Job> found = ctx.services.findJob().apply(id);
        if (found.isEmpty()) {
            store.update(d.gaveUp("the job no longer exists"));
            active.remove(id);
            return;
        }
        Job job = found.get();
        if (!job.status().isTerminal()) {
            return;
        }
        Delivery after;
        try {
            after = switch (job.status()) {
                case DONE -> deliverResult(job, d, now);
                case FAILED -> deliverFailure(job, d, now);
                case CANCELLED -> deliverCancellation(job, d, now);
                default -> throw new IllegalStateException(job.status().toString());
            };
        } catch (Exception e) {
            String why = describe(e);
            if (d.attempts() + 1 >= MAX_ATTEMPTS) {
                log.warn("giving up delivering job {} after {} attempts: {}", id, d.attempts() + 1, why);
                store.update(d.gaveUp(why));
                active.remove(id);
            } else {
                Duration pause = backoff(d.attempts());
                log.info("delivering job {} failed ({}); retrying in {} s", id, why, pause.toSeconds());
                store.update(d.failedAttempt(why, now.plus(pause)));
            }
            return;
        }
        store.update(after);
        active.remove(id);
        board.forgetIfIdle(id);
        log.info("job {} delivered ({}, {})", id, job.status(), after.via());
    }

    /** 5 s, 10 s, 20 s … at most 10 minutes. */
    static Duration backoff(int attemptsSoFar) {
        long seconds = FIRST_RETRY.toSeconds() << Math.min(attemptsSoFar, 16);
        return seconds >= MAX_RETRY.toSeconds() ? MAX_RETRY : Duration.ofSeconds(seconds);
    }

    private Delivery deliverResult(Job job, Delivery d, Instant now) throws Exception {
        String imageId = job.gridImageId() != null ? job.gridImageId() : job.outputImageIds().get(0);
        byte[] png = ctx.services.images().readPng(imageId);
        String base = job.kind() == JobKind.UPSCALE ? "upscale" : "grid";
        int factor = ctx.services.upscaleFactor();
        if (d.tokenUsable(now)) {
            UploadFitter.Fitted file = UploadFitter.fit(png, base, d.uploadLimit());
            MessageCreateData data = Views.result(job, file, d.privateResult() ? null : d.userId(), null,
                    d.uploadLimit(), factor);
            Message m = InteractionHook.from(ctx.jda(), d.interactionToken()).sendMessage(data)
                    .setEphemeral(d.privateResult()).complete();
            awaitQuietly(status(d, Views.finalText(d.privateResult() ? BotMessages.doneHere(job)
                    : BotMessages.doneInChannel(job)), true));
            return d.delivered(m.getId(), Delivery.Via.INTERACTION);
        }
        if (!d.privateResult() && d.inGuild()) {
            GuildMessageChannel channel = ctx.jda().getChannelById(GuildMessageChannel.class, d.channelId());
            if (channel != null && channel.canTalk()) {
                UploadFitter.Fitted file = UploadFitter.fit(png, base, d.uploadLimit());
                try {
                    Message m = channel.sendMessage(Views.result(job, file, d.userId(),
                            BotMessages.lateResultIntro("<@" + d.userId() + ">"), d.uploadLimit(), factor)).complete();
                    return d.delivered(m.getId(), Delivery.Via.CHANNEL);
                } catch (ErrorResponseException | PermissionException e) {
                    log.info("job {}: channel {} refused the result ({}); sending it by DM", job.id(), d.channelId(),
                            e.getMessage());
                }
            }
        }
        long dmLimit = Math.min(d.uploadLimit(), ctx.settings.defaultUploadLimit());
        UploadFitter.Fitted file = UploadFitter.fit(png, base, dmLimit);
        Message m = dm(d.userId(), Views.result(job, file, null, null, dmLimit, factor));
        return d.delivered(m.getId(), Delivery.Via.DM);
    }

    private Delivery deliverFailure(Job job, Delivery d, Instant now) throws Exception {
        if (d.tokenUsable(now)) {
            if (awaitOrThrow(status(d, Views.finalText(BotMessages.failed(job)), true))) {
                return d.delivered(null, Delivery.Via.INTERACTION);
            }
        }
        try {
            Message m = dm(d.userId(), Views.text(BotMessages.failedLater(job)));
            return d.delivered(m.getId(), Delivery.Via.DM);
        } catch (ErrorResponseException e) {
            if (d.privateResult() || !d.inGuild()) {
                throw e;
            }
            GuildMessageChannel channel = ctx.jda().getChannelById(GuildMessageChannel.class, d.channelId());
            if (channel == null) {
                throw e;
            }
            Message m = channel.sendMessage(new net.dv8tion.jda.api.utils.messages.MessageCreateBuilder()
                    .applyData(Views.text("<@" + d.userId() + "> " + BotMessages.failedLater(job)))
                    .mentionUsers(d.userId()).build()).complete();
            return d.delivered(m.getId(), Delivery.Via.CHANNEL);
        }
    }

    private Delivery deliverCancellation(Job job, Delivery d, Instant now) throws Exception {
        if (d.tokenUsable(now) && awaitOrThrow(status(d, Views.finalText(BotMessages.cancelled(job)), true))) {
            return d.delivered(null, Delivery.Via.INTERACTION);
        }
        return d.delivered(null, Delivery.Via.NONE);
    }

    private Message dm(String userId, MessageCreateData data) {
        return ctx.jda().retrieveUserById(userId).flatMap(u -> u.openPrivateChannel())
                .flatMap(c -> c.sendMessage(data)).complete();
    }

    private static void awaitQuietly(CompletableFuture<Boolean> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("final status edit failed: {}", e.toString());
        }
    }

    /** Waits for a status edit; true when it was sent, false when skipped; throws when it failed. */
    private static boolean awaitOrThrow(CompletableFuture<Boolean> f) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof ErrorResponseException er) {
            return "Discord said " + er.getErrorCode() + " " + er.getMeaning();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
