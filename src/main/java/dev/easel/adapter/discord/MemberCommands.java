package dev.easel.adapter.discord;

import dev.easel.application.CancelJob;
import dev.easel.application.ListJobs;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.Sampler;
import dev.easel.domain.quota.PlanResolution;
import dev.easel.domain.quota.Usage;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code /info}, {@code /settings}, {@code /cancel} and the Cancel button: private answers to the member. */
final class MemberCommands {
    private static final Logger log = LoggerFactory.getLogger(MemberCommands.class);
    /** How many of a member's latest jobs are looked at for /info and /cancel. */
    private static final int RECENT_JOBS = 50;

    private final BotContext ctx;
    private final Deliverer deliverer;

    MemberCommands(BotContext ctx, Deliverer deliverer) {
        this.ctx = ctx;
        this.deliverer = deliverer;
    }

    void info(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        JobRequests.acknowledged(ack, e).ifPresent(hook -> {
            try {
                Who who = Who.of(e, ctx.clock.instant());
                Usage usage = ctx.services.quota().usage(who.quotaMember());
                answer(hook, BotMessages.info(usage, active(who.userId()), who.guildId() != null));
            } catch (RuntimeException ex) {
                log.error("/info failed", ex);
                answer(hook, BotMessages.busy());
            }
        });
    }

    void settings(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        JobRequests.acknowledged(ack, e).ifPresent(hook -> {
            try {
                answer(hook, settings(e));
            } catch (RuntimeException ex) {
                log.error("/settings failed", ex);
                answer(hook, BotMessages.busy());
            }
        });
    }

    private String settings(SlashCommandInteractionEvent e) {
        Who who = Who.of(e, ctx.clock.instant());
        PreferenceStore store = ctx.services.preferences();
        Preferences before = store.get(who.userId());
        Preferences p = before;
        String aspect = string(e.getOption("aspect"));
        if (aspect != null) {
            p = p.withAspectRatio(aspect.equals(BotCommands.DEFAULT_CHOICE) ? null : aspect);
        }
        String sampler = string(e.getOption("sampler"));
        if (sampler != null) {
            p = p.withSampler(sampler.equals(BotCommands.DEFAULT_CHOICE) ? null
                    : Sampler.fromId(sampler).map(Sampler::id).orElse(null));
        }
        OptionMapping steps = e.getOption("steps");
        if (steps != null) {
            long n = steps.getAsLong();
            if (n < 0 || n > ctx.services.maxSteps()) {
                return BotMessages.stepsOutOfRange(ctx.services.maxSteps());
            }
            p = p.withSteps(n == 0 ? null : (int) n);
        }
        if (!p.equals(before)) {
            store.save(who.userId(), p, ctx.clock.instant());
        }
        PlanResolution plan = ctx.services.quota().resolve(who.quotaMember());
        OptionMapping priv = e.getOption("private");
        String refusal = null;
        if (priv != null) {
            if (priv.getAsBoolean() && !plan.privateResults()) {
                refusal = BotMessages.privateNotAllowed();
            } else {
                ctx.services.quota().setPrivateMode(who.quotaMember().guildId(), who.userId(), priv.getAsBoolean());
            }
        }
        boolean privateNow = ctx.services.quota().isPrivate(who.quotaMember().guildId(), who.userId());
        String shown = BotMessages.settings(p, privateNow ? BotMessages.privateOn()
                : BotMessages.privateOff(plan.privateResults()));
        return refusal == null ? shown : refusal + "\n\n" + shown;
    }

    void cancel(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        JobRequests.acknowledged(ack, e).ifPresent(hook -> {
            try {
                Who who = Who.of(e, ctx.clock.instant());
                String typed = string(e.getOption("job"));
                Optional<JobId> target;
                if (typed != null) {
                    target = JobId.parse(typed.contains(" ") ? typed.substring(0, typed.indexOf(' ')) : typed);
                    if (target.isEmpty()) {
                        answer(hook, BotMessages.noSuchJob(typed));
                        return;
                    }
                } else {
                    target = active(who.userId()).stream().map(x -> x.job().id()).findFirst();
                    if (target.isEmpty()) {
                        answer(hook, BotMessages.nothingToCancel());
                        return;
                    }
                }
                answer(hook, cancel(who, target.get()).text());
            } catch (RuntimeException ex) {
                log.error("/cancel failed", ex);
                answer(hook, BotMessages.busy());
            }
        });
    }

    void cancelButton(ButtonInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        JobRequests.acknowledged(ack, e).ifPresent(hook -> {
            try {
                Who who = Who.of(e, ctx.clock.instant());
                Optional<JobId> target = Views.cancelTarget(e.getComponentId());
                Outcome outcome = target.isEmpty() ? new Outcome(BotMessages.unknownButton(), false)
                        : cancel(who, target.get());
                if (!outcome.shownOnStatus()) {
                    hook.sendMessage(Views.text(outcome.text())).setEphemeral(true).queue(null,
                            err -> log.warn("cancel answer failed: {}", err.toString()));
                }
            } catch (RuntimeException ex) {
                log.error("cancel button failed", ex);
            }
        });
    }

    /** The answer to a cancellation; {@code shownOnStatus}: the job's status message shows it too. */
    private record Outcome(String text, boolean shownOnStatus) {
    }

    private Outcome cancel(Who who, JobId id) {
        Optional<Job> job = ctx.services.findJob().apply(id);
        if (job.isEmpty()) {
            return new Outcome(BotMessages.noSuchJob(id.value()), false);
        }
        boolean adminHere = who.admin() && who.guildId() != null && who.guildId().equals(job.get().owner().guildId());
        CancelJob.Result r = ctx.services.cancel().cancel(new CancelJob.Request(id, who.userId(), adminHere));
        if (r instanceof CancelJob.Cancelled c) {
            return new Outcome(BotMessages.cancelledNow(c.job()), true);
        }
        if (r instanceof CancelJob.Stopping s) {
            deliverer.stopping(s.job());
            return new Outcome(BotMessages.stoppingNow(s.job()), true);
        }
        if (r instanceof CancelJob.NotAllowed n) {
            return new Outcome(BotMessages.cancelNotAllowed(n.message()), false);
        }
        if (r instanceof CancelJob.AlreadyFinished f) {
            return new Outcome(BotMessages.alreadyFinished(f.job()), false);
        }
        return new Outcome(BotMessages.noSuchJob(id.value()), false);
    }

    void autocompleteJob(CommandAutoCompleteInteractionEvent e) {
        String typed = e.getFocusedOption().getValue().toLowerCase(Locale.ROOT);
        List<Command.Choice> choices = active(e.getUser().getId()).stream().map(ListJobs.Entry::job)
                .filter(j -> j.id().value().startsWith(typed)
                        || j.params().prompt().toLowerCase(Locale.ROOT).contains(typed))
                .limit(25).map(j -> new Command.Choice(BotMessages.jobChoice(j), j.id().value())).toList();
        e.replyChoices(choices).queue(null, err -> log.debug("autocomplete answer failed: {}", err.toString()));
    }

    /** The member's queued and running jobs, newest first. */
    private List<ListJobs.Entry> active(String userId) {
        return ctx.services.list().list(userId, RECENT_JOBS).stream().filter(x -> x.job().status().isActive()).toList();
    }

    static void answer(InteractionHook hook, String text) {
        List<String> parts = BotMessages.chunks(text);
        hook.editOriginal(Views.finalText(parts.get(0))).queue(null,
                err -> log.warn("answer failed: {}", err.toString()));
        for (String more : parts.subList(1, parts.size())) {
            hook.sendMessage(Views.text(more)).setEphemeral(true).queue(null,
                    err -> log.warn("answer failed: {}", err.toString()));
        }
    }

    private static String string(OptionMapping o) {
        return o == null ? null : o.getAsString();
    }
}
