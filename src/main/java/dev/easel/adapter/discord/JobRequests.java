package dev.easel.adapter.discord;

import dev.easel.application.ButtonAction;
import dev.easel.application.ButtonCodec;
import dev.easel.application.PressButton;
import dev.easel.application.QueueStanding;
import dev.easel.application.SubmitImagine;
import dev.easel.domain.job.Job;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.interactions.Interaction;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code /imagine} and the result buttons (U, V, 🔄, Vary): each makes a new job. The interaction has already
 * been acknowledged with a private "thinking" reply on JDA's thread; here, on the bot's executor, the prompt is
 * checked against the server's banned words (before anything is charged), and the job is submitted with the
 * member's roles and entitlements (the quota resolves their plan from them). A refusal replaces the private reply with what happened
 * and what to do; an accepted job turns it into the job's status message (queue position, progress, preview,
 * Cancel button), and its {@link Delivery} is stored.
 */
final class JobRequests {
    private static final Logger log = LoggerFactory.getLogger(JobRequests.class);
    /** How long a handler waits for its interaction's acknowledgement to complete. */
    static final Duration ACK_WAIT = Duration.ofSeconds(10);
    /** How long a handler waits for the interaction's raw event (upload limit). */
    private static final Duration LIMIT_WAIT = Duration.ofSeconds(1);

    private final BotContext ctx;
    private final Deliverer deliverer;

    JobRequests(BotContext ctx, Deliverer deliverer) {
        this.ctx = ctx;
        this.deliverer = deliverer;
    }

    static Optional<InteractionHook> acknowledged(CompletableFuture<InteractionHook> ack, Interaction i) {
        try {
            return Optional.of(ack.get(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("interaction {} could not be acknowledged: {}", i.getId(), e.toString());
        }
        return Optional.empty();
    }

    void imagine(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        Optional<InteractionHook> hook = acknowledged(ack, e);
        if (hook.isEmpty()) {
            return;
        }
        try {
            Who who = Who.of(e, ctx.clock.instant());
            PromptComposer.Typed typed = new PromptComposer.Typed(string(e.getOption("aspect")),
                    e.getOption("seed") == null ? null : e.getOption("seed").getAsLong(), string(e.getOption("negative")));
            String text = PromptComposer.compose(e.getOption("prompt").getAsString(), typed,
                    ctx.services.preferences().get(who.userId()));
            Optional<String> banned = banned(who, text);
            if (banned.isPresent()) {
                refuse(hook.get(), BotMessages.bannedWord(banned.get()));
                return;
            }
            SubmitImagine.Result r = ctx.services.submit().submit(new SubmitImagine.Request(who.owner(), text,
                    who.membership()));
            if (r instanceof SubmitImagine.Invalid invalid) {
                refuse(hook.get(), BotMessages.invalidPrompt(invalid.message()));
            } else if (r instanceof SubmitImagine.Denied denied) {
                refuse(hook.get(), BotMessages.quotaDenied(denied.reason()));
            } else {
                SubmitImagine.Accepted a = (SubmitImagine.Accepted) r;
                accepted(hook.get(), e, who, a.job(), a.standing());
            }
        } catch (RuntimeException ex) {
            log.error("/imagine failed", ex);
            refuse(hook.get(), BotMessages.busy());
        }
    }

    void press(ButtonInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        Optional<InteractionHook> hook = acknowledged(ack, e);
        if (hook.isEmpty()) {
            return;
        }
        try {
            Who who = Who.of(e, ctx.clock.instant());
            String customId = e.getComponentId();
            Optional<ButtonAction> action = ButtonCodec.decode(customId);
            Optional<Job> parent = action.flatMap(a -> ctx.services.findJob().apply(a.jobId()));
            if (parent.isPresent()) {
                Job p = parent.get();
                boolean owner = p.owner().userId().equals(who.userId());
                boolean adminHere = who.admin() && who.guildId() != null && who.guildId().equals(p.owner().guildId());
                if (!owner && !adminHere) {
                    refuse(hook.get(), BotMessages.notYourButtons("<@" + p.owner().userId() + ">"));
                    return;
                }
                Optional<String> banned = banned(who, p.params().prompt() + " " + p.params().negativePrompt());
                if (banned.isPresent()) {
                    refuse(hook.get(), BotMessages.bannedWord(banned.get()));
                    return;
                }
            }
            PressButton.Result r = ctx.services.press().press(new PressButton.Request(who.owner(), customId,
                    who.membership()));
            if (r instanceof PressButton.Rejected rejected) {
                refuse(hook.get(), action.isEmpty() ? BotMessages.unknownButton() : BotMessages.buttonRejected(rejected.message()));
            } else if (r instanceof PressButton.Denied denied) {
                refuse(hook.get(), BotMessages.quotaDenied(denied.reason()));
            } else {
                PressButton.Accepted a = (PressButton.Accepted) r;
                accepted(hook.get(), e, who, a.job(), a.standing());
            }
        } catch (RuntimeException ex) {
            log.error("button {} failed", e.getComponentId(), ex);
            refuse(hook.get(), BotMessages.busy());
        }
    }

    private Optional<String> banned(Who who, String text) {
        if (who.guildId() == null) {
            return Optional.empty();
        }
        List<String> words = ctx.services.bannedWords().list(who.guildId());
        return BannedWords.firstMatch(text, words);
    }

    /**
     * The job is queued: its position fills the private reply (first, and synchronously: the result is posted as a
     * follow-up, and the first follow-up after a deferred reply would otherwise take the reply's place), then its
     * delivery is stored and tracked.
     */
    private void accepted(InteractionHook hook, Interaction i, Who who, Job job, Optional<QueueStanding> standing) {
        long limit = ctx.limits.await(i.getIdLong(), LIMIT_WAIT);
        try {
            hook.editOriginal(Views.status(BotMessages.queued(job, standing.orElse(null)), job.id(), null))
                    .complete();
        } catch (RuntimeException e) {
            log.warn("job {}: could not show its queue position: {}", job.id(), e.toString());
        }
        deliverer.statusShown(job.id());
        Delivery d = Delivery.pending(job.id(), i.getToken(), i.getTimeCreated().toInstant(), who.userId(),
                who.guildId(), who.channelId(), job.privateResult(), limit);
        ctx.services.deliveries().save(d);
        deliverer.track(d);
        deliverer.kick(job.id()); // it may already be done
    }

    static void refuse(InteractionHook hook, String text) {
        hook.editOriginal(Views.finalText(text)).queue(null,
                err -> log.warn("could not show a refusal: {}", err.toString()));
    }

    private static String string(OptionMapping o) {
        return o == null ? null : o.getAsString();
    }
}
