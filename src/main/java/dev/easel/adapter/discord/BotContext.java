package dev.easel.adapter.discord;

import net.dv8tion.jda.api.JDA;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** What the bot's parts share: settings, services, clock, executors and (once connected) the JDA client. */
final class BotContext {
    final DiscordSettings settings;
    final DiscordBot.Services services;
    final Clock clock;
    /** Runs interaction handlers (never JDA's threads). */
    final ExecutorService handlers;
    /** Runs deliveries (uploads may take a while). */
    final ExecutorService deliveries;
    /** Status edit slots and the delivery sweep. */
    final ScheduledExecutorService timer;
    final AttachmentLimits limits;
    private volatile JDA jda;

    BotContext(DiscordSettings settings, DiscordBot.Services services, Clock clock, ExecutorService handlers,
               ExecutorService deliveries, ScheduledExecutorService timer) {
        this.settings = settings;
        this.services = services;
        this.clock = clock;
        this.handlers = handlers;
        this.deliveries = deliveries;
        this.timer = timer;
        this.limits = new AttachmentLimits(settings.defaultUploadLimit());
    }

    JDA jda() {
        JDA j = jda;
        if (j == null) {
            throw new IllegalStateException("the bot is not connected to Discord yet");
        }
        return j;
    }

    boolean connected() {
        return jda != null;
    }

    void connected(JDA j) {
        this.jda = j;
    }
}
