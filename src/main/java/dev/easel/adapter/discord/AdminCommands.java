package dev.easel.adapter.discord;

import dev.easel.domain.quota.AdminResult;
import dev.easel.domain.quota.GuildQuotaConfig;
import dev.easel.domain.quota.PeriodMode;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.QuotaAdmin;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /plans …} (every {@link QuotaAdmin} operation) and {@code /moderation words …}, for members with Manage
 * Server. Answers are private; a refused change names the field at fault and what is allowed.
 */
final class AdminCommands {
    private static final Logger log = LoggerFactory.getLogger(AdminCommands.class);
    private static final int DEFAULT_AUDIT = 10;

    private final BotContext ctx;

    AdminCommands(BotContext ctx) {
        this.ctx = ctx;
    }

    void plans(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        run(e, ack, who -> plans(e, who));
    }

    void moderation(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack) {
        run(e, ack, who -> moderation(e, who));
    }

    private void run(SlashCommandInteractionEvent e, CompletableFuture<InteractionHook> ack,
                     java.util.function.Function<Who, String> work) {
        JobRequests.acknowledged(ack, e).ifPresent(hook -> {
            String text;
            try {
                Who who = Who.of(e, ctx.clock.instant());
                if (who.guildId() == null) {
                    text = BotMessages.guildOnly();
                } else if (!who.admin()) {
                    text = BotMessages.notAnAdmin();
                } else {
                    text = work.apply(who);
                }
            } catch (RuntimeException ex) {
                log.error("/{} {} failed", e.getName(), e.getSubcommandName(), ex);
                text = BotMessages.busy();
            }
            MemberCommands.answer(hook, text);
        });
    }

    private String plans(SlashCommandInteractionEvent e, Who who) {
        QuotaAdmin admin = ctx.services.quotaAdmin();
        String guild = who.guildId();
        String actor = who.userId();
        String sub = e.getSubcommandName() == null ? "" : e.getSubcommandName();
        return switch (sub) {
            case "list" -> BotMessages.plansList(admin.config(guild));
            case "show" -> {
                GuildQuotaConfig c = admin.config(guild);
                String name = string(e, "plan");
                yield c.plans().stream().filter(p -> p.name().equals(name)).findFirst()
                        .map(p -> BotMessages.planShow(p, p.name().equals(c.settings().defaultPlan())))
                        .orElse(BotMessages.unknownPlan(name, c.plans()));
            }
            case "set" -> result(admin.editPlan(actor, guild, string(e, "plan"),
                    Map.of(string(e, "field"), string(e, "value"))));
            case "create" -> {
                Map<String, String> fields;
                try {
                    fields = FieldList.parse(string(e, "fields"));
                } catch (FieldList.BadFields bad) {
                    yield BotMessages.fieldProblem(bad);
                }
                yield result(admin.createPlan(actor, guild, string(e, "name"), Optional.ofNullable(string(e, "copy-of")),
                        fields));
            }
            case "delete" -> result(admin.deletePlan(actor, guild, string(e, "plan"),
                    Optional.ofNullable(string(e, "replacement"))));
            case "default" -> result(admin.setDefaultPlan(actor, guild, string(e, "plan")));
            case "periods" -> result(admin.setPeriodMode(actor, guild,
                    PeriodMode.valueOf(string(e, "mode").toUpperCase(Locale.ROOT))));
            case "assign" -> {
                OptionMapping days = e.getOption("days");
                Optional<Instant> until = days == null ? Optional.empty()
                        : Optional.of(ctx.clock.instant().plus(Duration.ofDays(days.getAsLong())));
                yield result(admin.assign(actor, guild, e.getOption("user").getAsUser().getId(), string(e, "plan"), until));
            }
            case "unassign" -> result(admin.unassign(actor, guild, e.getOption("user").getAsUser().getId(),
                    string(e, "plan")));
            case "assignments" -> {
                String user = e.getOption("user").getAsUser().getId();
                yield BotMessages.assignments("<@" + user + ">", admin.assignments(guild, user));
            }
            case "role" -> {
                String role = e.getOption("role").getAsRole().getId();
                String plan = string(e, "plan");
                yield result(plan == null ? admin.unmapRole(actor, guild, role) : admin.mapRole(actor, guild, role, plan));
            }
            case "sku" -> {
                String sku = string(e, "sku").strip();
                if (!sku.matches("\\d{1,20}")) {
                    yield BotMessages.badSku(sku);
                }
                String plan = string(e, "plan");
                yield result(plan == null ? admin.unmapSku(actor, guild, sku) : admin.mapSku(actor, guild, sku, plan));
            }
            case "bonus" -> result(admin.grantBonus(actor, guild, e.getOption("user").getAsUser().getId(),
                    e.getOption("images").getAsInt()));
            case "reset" -> result(admin.resetUsage(actor, guild, e.getOption("user").getAsUser().getId()));
            case "audit" -> BotMessages.audit(admin.auditLog(guild,
                    e.getOption("limit") == null ? DEFAULT_AUDIT : e.getOption("limit").getAsInt()));
            default -> BotMessages.unknownButton();
        };
    }

    private static String result(AdminResult r) {
        return r instanceof AdminResult.Done done ? BotMessages.adminDone(done.audit())
                : BotMessages.adminRejected(((AdminResult.Rejected) r).message());
    }

    private String moderation(SlashCommandInteractionEvent e, Who who) {
        BannedWords words = ctx.services.bannedWords();
        String guild = who.guildId();
        String sub = e.getSubcommandName() == null ? "" : e.getSubcommandName();
        if (sub.equals("list")) {
            return BotMessages.wordList(words.list(guild));
        }
        Optional<String> word = BannedWords.normalize(string(e, "word"));
        if (word.isEmpty()) {
            return BotMessages.badWord();
        }
        if (sub.equals("add")) {
            if (words.list(guild).size() >= BannedWords.MAX_WORDS) {
                return BotMessages.tooManyWords();
            }
            return words.add(guild, word.get(), who.userId(), ctx.clock.instant()) ? BotMessages.wordAdded(word.get())
                    : BotMessages.wordAlreadyBanned(word.get());
        }
        return words.remove(guild, word.get()) ? BotMessages.wordRemoved(word.get())
                : BotMessages.wordNotBanned(word.get());
    }

    /** Plan names for the plan options of /plans, banned words for /moderation words remove. */
    void autocomplete(CommandAutoCompleteInteractionEvent e) {
        List<Command.Choice> choices = List.of();
        var member = e.getMember();
        if (e.getGuild() != null && member != null
                && member.hasPermission(net.dv8tion.jda.api.Permission.MANAGE_SERVER)) {
            String guild = e.getGuild().getId();
            String typed = e.getFocusedOption().getValue().toLowerCase(Locale.ROOT);
            if (e.getName().equals(BotCommands.PLANS)) {
                choices = ctx.services.quotaAdmin().plans(guild).stream()
                        .filter(p -> p.name().contains(typed) || p.displayName().toLowerCase(Locale.ROOT).contains(typed))
                        .limit(25).map(AdminCommands::choice).toList();
            } else if (e.getName().equals(BotCommands.MODERATION)) {
                choices = ctx.services.bannedWords().list(guild).stream().filter(w -> w.contains(typed)).limit(25)
                        .map(w -> new Command.Choice(w, w)).toList();
            }
        }
        e.replyChoices(choices).queue(null, err -> log.debug("autocomplete answer failed: {}", err.toString()));
    }

    private static Command.Choice choice(Plan p) {
        return new Command.Choice(BotMessages.cut(p.name() + " — " + p.displayName(), 100), p.name());
    }

    private static String string(SlashCommandInteractionEvent e, String name) {
        OptionMapping o = e.getOption(name);
        return o == null ? null : o.getAsString();
    }
}
