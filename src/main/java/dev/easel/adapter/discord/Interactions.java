package dev.easel.adapter.discord;

import net.dv8tion.jda.api.events.RawGatewayEvent;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Receives interactions on JDA's event thread and never blocks it: each interaction is acknowledged at once (a
 * private "thinking" reply for commands and job buttons, a silent deferred update for Cancel buttons), well
 * within Discord's 3 seconds, and its work goes to the bot's executor. Autocomplete answers are computed there
 * too.
 */
final class Interactions extends ListenerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Interactions.class);

    private final BotContext ctx;
    private final JobRequests jobs;
    private final MemberCommands members;
    private final AdminCommands admins;

    Interactions(BotContext ctx, JobRequests jobs, MemberCommands members, AdminCommands admins) {
        this.ctx = ctx;
        this.jobs = jobs;
        this.members = members;
        this.admins = admins;
    }

    @Override
    public void onRawGateway(RawGatewayEvent event) {
        ctx.limits.onRawEvent(event);
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
        String name = e.getName();
        switch (name) {
            case BotCommands.IMAGINE, BotCommands.INFO, BotCommands.SETTINGS, BotCommands.CANCEL, BotCommands.PLANS,
                 BotCommands.MODERATION -> {
                CompletableFuture<InteractionHook> ack = e.deferReply(true).submit();
                work(() -> {
                    switch (name) {
                        case BotCommands.IMAGINE -> jobs.imagine(e, ack);
                        case BotCommands.INFO -> members.info(e, ack);
                        case BotCommands.SETTINGS -> members.settings(e, ack);
                        case BotCommands.CANCEL -> members.cancel(e, ack);
                        case BotCommands.PLANS -> admins.plans(e, ack);
                        default -> admins.moderation(e, ack);
                    }
                });
            }
            default -> e.reply(Views.text(BotMessages.unknownButton())).setEphemeral(true).queue();
        }
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent e) {
        String id = e.getComponentId();
        if (id.startsWith(Views.CANCEL_PREFIX)) {
            CompletableFuture<InteractionHook> ack = e.deferEdit().submit();
            work(() -> members.cancelButton(e, ack));
        } else if (id.matches("v\\d+:.*")) {
            CompletableFuture<InteractionHook> ack = e.deferReply(true).submit();
            work(() -> jobs.press(e, ack));
        } else {
            e.reply(Views.text(BotMessages.unknownButton())).setEphemeral(true).queue();
        }
    }

    @Override
    public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent e) {
        work(() -> {
            if (e.getName().equals(BotCommands.CANCEL)) {
                members.autocompleteJob(e);
            } else {
                admins.autocomplete(e);
            }
        });
    }

    private void work(Runnable task) {
        try {
            ctx.handlers.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("interaction handler failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.info("interaction dropped: the bot is shutting down");
        }
    }
}
