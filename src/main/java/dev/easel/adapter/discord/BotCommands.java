package dev.easel.adapter.discord;

import dev.easel.domain.job.PromptParser;
import dev.easel.domain.job.Sampler;
import dev.easel.domain.quota.PlanField;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.interactions.IntegrationType;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.DefaultMemberPermissions;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandData;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandGroupData;

import java.util.ArrayList;
import java.util.List;

/**
 * The slash commands the bot registers. Member commands work in servers and in the bot's DMs; {@code /plans} and
 * {@code /moderation} only in servers, visible by default to members with Manage Server (server admins can
 * change that in Server Settings → Integrations; the bot checks the permission again on every use).
 */
final class BotCommands {
    static final String IMAGINE = "imagine";
    static final String INFO = "info";
    static final String SETTINGS = "settings";
    static final String CANCEL = "cancel";
    static final String PLANS = "plans";
    static final String MODERATION = "moderation";

    /** Aspect ratios offered as choices (any W:H still works as --ar in the prompt). */
    static final List<String> ASPECT_RATIOS = List.of("1:1", "4:5", "5:4", "2:3", "3:2", "3:4", "4:3", "9:16",
            "16:9", "21:9");
    /** The value that clears a preference. */
    static final String DEFAULT_CHOICE = "default";

    private BotCommands() {
    }

    static List<CommandData> all() {
        List<CommandData> out = new ArrayList<>();
        OptionData aspect = new OptionData(OptionType.STRING, "aspect", BotMessages.IMAGINE_ASPECT);
        ASPECT_RATIOS.forEach(a -> aspect.addChoice(a, a));
        out.add(Commands.slash(IMAGINE, BotMessages.IMAGINE)
                .addOptions(new OptionData(OptionType.STRING, "prompt", BotMessages.IMAGINE_PROMPT, true)
                                .setMaxLength(PromptParser.MAX_STORED_PROMPT),
                        aspect,
                        new OptionData(OptionType.INTEGER, "seed", BotMessages.IMAGINE_SEED)
                                .setRequiredRange(0, 4_294_967_295L),
                        new OptionData(OptionType.STRING, "negative", BotMessages.IMAGINE_NEGATIVE).setMaxLength(1000))
                .setContexts(InteractionContextType.GUILD, InteractionContextType.BOT_DM)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL));
        out.add(Commands.slash(INFO, BotMessages.INFO)
                .setContexts(InteractionContextType.GUILD, InteractionContextType.BOT_DM)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL));

        OptionData prefAspect = new OptionData(OptionType.STRING, "aspect", BotMessages.SETTINGS_ASPECT)
                .addChoice(DEFAULT_CHOICE, DEFAULT_CHOICE);
        ASPECT_RATIOS.forEach(a -> prefAspect.addChoice(a, a));
        OptionData sampler = new OptionData(OptionType.STRING, "sampler", BotMessages.SETTINGS_SAMPLER)
                .addChoice(DEFAULT_CHOICE, DEFAULT_CHOICE);
        Sampler.ids().forEach(s -> sampler.addChoice(s, s));
        out.add(Commands.slash(SETTINGS, BotMessages.SETTINGS)
                .addOptions(prefAspect, sampler,
                        new OptionData(OptionType.INTEGER, "steps", BotMessages.SETTINGS_STEPS)
                                .setRequiredRange(0, PromptParser.ABSOLUTE_MAX_STEPS),
                        new OptionData(OptionType.BOOLEAN, "private", BotMessages.SETTINGS_PRIVATE))
                .setContexts(InteractionContextType.GUILD, InteractionContextType.BOT_DM)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL));
        out.add(Commands.slash(CANCEL, BotMessages.CANCEL)
                .addOptions(new OptionData(OptionType.STRING, "job", BotMessages.CANCEL_JOB).setAutoComplete(true))
                .setContexts(InteractionContextType.GUILD, InteractionContextType.BOT_DM)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL));
        out.add(plans());
        out.add(Commands.slash(MODERATION, BotMessages.MODERATION)
                .addSubcommandGroups(new SubcommandGroupData("words", BotMessages.MODERATION_WORDS).addSubcommands(
                        new SubcommandData("add", BotMessages.MODERATION_ADD).addOptions(word(false)),
                        new SubcommandData("remove", BotMessages.MODERATION_REMOVE).addOptions(word(true)),
                        new SubcommandData("list", BotMessages.MODERATION_LIST)))
                .setContexts(InteractionContextType.GUILD)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL)
                .setDefaultPermissions(DefaultMemberPermissions.enabledFor(Permission.MANAGE_SERVER)));
        return out;
    }

    private static OptionData word(boolean autocomplete) {
        return new OptionData(OptionType.STRING, "word", BotMessages.OPTION_WORD, true)
                .setMaxLength(BannedWords.MAX_LENGTH).setAutoComplete(autocomplete);
    }

    private static CommandData plans() {
        OptionData field = new OptionData(OptionType.STRING, "field", BotMessages.OPTION_FIELD, true);
        for (PlanField f : PlanField.values()) {
            field.addChoice(f.key(), f.key());
        }
        OptionData mode = new OptionData(OptionType.STRING, "mode", BotMessages.OPTION_MODE, true)
                .addChoice("calendar", "calendar").addChoice("anniversary", "anniversary");
        return Commands.slash(PLANS, BotMessages.PLANS)
                .addSubcommands(
                        new SubcommandData("list", BotMessages.PLANS_LIST),
                        new SubcommandData("show", BotMessages.PLANS_SHOW).addOptions(plan("plan", true)),
                        new SubcommandData("set", BotMessages.PLANS_SET).addOptions(plan("plan", true), field,
                                new OptionData(OptionType.STRING, "value", BotMessages.OPTION_VALUE, true).setMaxLength(100)),
                        new SubcommandData("create", BotMessages.PLANS_CREATE).addOptions(
                                new OptionData(OptionType.STRING, "name", BotMessages.OPTION_NAME, true).setMaxLength(32),
                                new OptionData(OptionType.STRING, "copy-of", BotMessages.OPTION_COPY_OF).setAutoComplete(true),
                                new OptionData(OptionType.STRING, "fields", BotMessages.OPTION_FIELDS).setMaxLength(1000)),
                        new SubcommandData("delete", BotMessages.PLANS_DELETE).addOptions(plan("plan", true),
                                new OptionData(OptionType.STRING, "replacement", BotMessages.OPTION_REPLACEMENT)
                                        .setAutoComplete(true)),
                        new SubcommandData("default", BotMessages.PLANS_DEFAULT).addOptions(plan("plan", true)),
                        new SubcommandData("periods", BotMessages.PLANS_PERIODS).addOptions(mode),
                        new SubcommandData("assign", BotMessages.PLANS_ASSIGN).addOptions(user(), plan("plan", true),
                                new OptionData(OptionType.INTEGER, "days", BotMessages.OPTION_DAYS).setRequiredRange(1, 3650)),
                        new SubcommandData("unassign", BotMessages.PLANS_UNASSIGN).addOptions(user(), plan("plan", true)),
                        new SubcommandData("assignments", BotMessages.PLANS_ASSIGNMENTS).addOptions(user()),
                        new SubcommandData("role", BotMessages.PLANS_ROLE).addOptions(
                                new OptionData(OptionType.ROLE, "role", BotMessages.OPTION_ROLE, true), plan("plan", false)),
                        new SubcommandData("sku", BotMessages.PLANS_SKU).addOptions(
                                new OptionData(OptionType.STRING, "sku", BotMessages.OPTION_SKU, true).setMaxLength(20),
                                plan("plan", false)),
                        new SubcommandData("bonus", BotMessages.PLANS_BONUS).addOptions(user(),
                                new OptionData(OptionType.INTEGER, "images", BotMessages.OPTION_IMAGES, true)
                                        .setRequiredRange(1, 1_000_000)),
                        new SubcommandData("reset", BotMessages.PLANS_RESET).addOptions(user()),
                        new SubcommandData("audit", BotMessages.PLANS_AUDIT).addOptions(
                                new OptionData(OptionType.INTEGER, "limit", BotMessages.OPTION_LIMIT).setRequiredRange(1, 50)))
                .setContexts(InteractionContextType.GUILD)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL)
                .setDefaultPermissions(DefaultMemberPermissions.enabledFor(Permission.MANAGE_SERVER));
    }

    private static OptionData plan(String name, boolean required) {
        return new OptionData(OptionType.STRING, name, BotMessages.OPTION_PLAN, required).setAutoComplete(true)
                .setMaxLength(32);
    }

    private static OptionData user() {
        return new OptionData(OptionType.USER, "user", BotMessages.OPTION_USER, true);
    }
}
