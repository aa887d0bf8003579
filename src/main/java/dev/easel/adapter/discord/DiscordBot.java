package dev.easel.adapter.discord;

import dev.easel.application.CancelJob;
import dev.easel.application.ImageStore;
import dev.easel.application.ListJobs;
import dev.easel.application.PressButton;
import dev.easel.application.SubmitImagine;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import dev.easel.adapter.metrics.GatewayStatus;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Easel's Discord bot: connects with JDA (no privileged gateway intents: interactions carry everything the bot
 * needs), registers the slash commands, handles interactions off JDA's threads, shows progress and delivers
 * results. Build the job service with a {@link BotNotifier}, then the bot with the same notifier; {@link #start}
 * connects.
 *
 * <pre>{@code
 * BotNotifier notifier = new BotNotifier();
 * JobServices jobs = new JobServices(config, quotaFactory, notifier, clock);
 * try (DiscordBot bot = new DiscordBot(settings, services, notifier, clock)) {
 *     bot.start();   // READY, commands registered, pending deliveries resumed
 *     ...
 * }
 * }</pre>
 */
public final class DiscordBot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiscordBot.class);

    /**
     * What the bot uses.
     *
     * @param findJob       a stored job by id (buttons are resolved from the database)
     * @param upscaleFactor how much an upscale enlarges (shown in results)
     * @param maxSteps      largest steps value /settings accepts
     */
    public record Services(SubmitImagine submit, PressButton press, CancelJob cancel, ListJobs list,
                           Function<JobId, Optional<Job>> findJob, ImageStore images, QuotaService quota,
                           QuotaAdmin quotaAdmin, BannedWords bannedWords,
                           PreferenceStore preferences, DeliveryStore deliveries, int upscaleFactor, int maxSteps) {
        public Services {
            Objects.requireNonNull(submit, "submit");
            Objects.requireNonNull(press, "press");
            Objects.requireNonNull(cancel, "cancel");
            Objects.requireNonNull(list, "list");
            Objects.requireNonNull(findJob, "findJob");
            Objects.requireNonNull(images, "images");
            Objects.requireNonNull(quota, "quota");
            Objects.requireNonNull(quotaAdmin, "quotaAdmin");
            Objects.requireNonNull(bannedWords, "bannedWords");
            Objects.requireNonNull(preferences, "preferences");
            Objects.requireNonNull(deliveries, "deliveries");
        }
    }

    private final BotContext ctx;
    private final BotNotifier notifier;
    private final Deliverer deliverer;
    private final Interactions interactions;
    private JDA jda;
    private java.util.concurrent.ScheduledFuture<?> sweeping;

    public DiscordBot(DiscordSettings settings, Services services, BotNotifier notifier, Clock clock) {
        this.ctx = new BotContext(settings, services, clock,
                Executors.newFixedThreadPool(settings.threads(), threads("easel-discord")),
                Executors.newFixedThreadPool(Math.max(1, settings.threads() / 2), threads("easel-delivery")),
                Executors.newSingleThreadScheduledExecutor(threads("easel-discord-timer")));
        this.notifier = notifier;
        this.deliverer = new Deliverer(ctx);
        this.interactions = new Interactions(ctx, new JobRequests(ctx, deliverer), new MemberCommands(ctx, deliverer),
                new AdminCommands(ctx));
    }

    /** The gateway connection as /healthz reports it. */
    public synchronized GatewayStatus.State gatewayState() {
        if (jda == null) {
            return GatewayStatus.State.CONNECTING;
        }
        return switch (jda.getStatus()) {
            case CONNECTED -> GatewayStatus.State.CONNECTED;
            case SHUTTING_DOWN, SHUTDOWN -> GatewayStatus.State.DISCONNECTED;
            case FAILED_TO_LOGIN -> GatewayStatus.State.FAILED;
            case WAITING_TO_RECONNECT, ATTEMPTING_TO_RECONNECT, DISCONNECTED, RECONNECT_QUEUED ->
                    GatewayStatus.State.RECONNECTING;
            default -> GatewayStatus.State.CONNECTING;
        };
    }

    /** Connects, waits for READY, registers the commands and starts delivering. */
    public synchronized void start() throws InterruptedException {
        if (jda != null) {
            throw new IllegalStateException("the bot is already started");
        }
        DiscordSettings s = ctx.settings;
        JDABuilder builder = JDABuilder.createLight(s.token(), EnumSet.noneOf(GatewayIntent.class))
                .setRestConfig(new RestConfig().setBaseUrl(s.restBaseUrl()))
                .setCompression(s.gatewayCompression() ? Compression.ZLIB : Compression.NONE)
                .setRawEventsEnabled(true)
                .setEnableShutdownHook(false)
                .addEventListeners(interactions);
        if (s.gatewayUrl() != null) {
            String url = s.gatewayUrl();
            builder.setSessionController(new ConcurrentSessionController() {
                @Override
                public String getGateway() {
                    return url;
                }
            });
        }
        jda = builder.build();
        jda.awaitReady();
        ctx.connected(jda);
        registerCommands();
        notifier.attach(deliverer);
        long every = s.deliveryInterval().toMillis();
        sweeping = ctx.timer.scheduleWithFixedDelay(deliverer::sweep, 0, every, TimeUnit.MILLISECONDS);
        log.info("connected to Discord as {} ({} guild(s)); {}", jda.getSelfUser().getName(), jda.getGuilds().size(), s);
    }

    private void registerCommands() {
        var commands = BotCommands.all();
        if (ctx.settings.commandGuilds().isEmpty()) {
            jda.updateCommands().addCommands(commands).complete();
            log.info("registered {} global commands", commands.size());
            return;
        }
        for (String id : ctx.settings.commandGuilds()) {
            Guild g = jda.getGuildById(id);
            if (g == null) {
                log.warn("bot.command-guilds lists guild {}, but the bot is not in it; skipped", id);
                continue;
            }
            g.updateCommands().addCommands(commands).complete();
            log.info("registered {} commands in guild {}", commands.size(), g.getName());
        }
    }

    /** The connected client (after {@link #start}). */
    public JDA jda() {
        return ctx.jda();
    }

    /** Looks for finished jobs with pending deliveries now (the bot also does this every delivery interval). */
    public void sweep() {
        deliverer.sweep();
    }

    /**
     * Stops taking work, lets handlers and deliveries in progress finish (their status edits still go out), then
     * disconnects; deliveries not yet made stay pending in the store.
     */
    @Override
    public synchronized void close() {
        notifier.detach();
        if (sweeping != null) {
            sweeping.cancel(false);
        }
        ctx.handlers.shutdown();
        ctx.deliveries.shutdown();
        try {
            if (!ctx.handlers.awaitTermination(20, TimeUnit.SECONDS)) {
                ctx.handlers.shutdownNow();
            }
            if (!ctx.deliveries.awaitTermination(40, TimeUnit.SECONDS)) {
                ctx.deliveries.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.handlers.shutdownNow();
            ctx.deliveries.shutdownNow();
        }
        ctx.timer.shutdownNow();
        if (jda != null) {
            jda.shutdown();
            try {
                if (!jda.awaitShutdown(Duration.ofSeconds(10))) {
                    jda.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                jda.shutdownNow();
            }
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
