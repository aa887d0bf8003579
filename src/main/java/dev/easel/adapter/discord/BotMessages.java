package dev.easel.adapter.discord;

import dev.easel.application.ListJobs;
import dev.easel.application.QueueStanding;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.quota.Assignment;
import dev.easel.domain.quota.AuditEntry;
import dev.easel.domain.quota.GuildQuotaConfig;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanField;
import dev.easel.domain.quota.PlanSource;
import dev.easel.domain.quota.QuotaMessages;
import dev.easel.domain.quota.Usage;
import net.dv8tion.jda.api.utils.MarkdownSanitizer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every text the bot shows on Discord, in one place so it can be read (and translated) at once: command and option
 * descriptions, status and result messages, refusals (each says what happened and what to do), and admin answers.
 * Quota texts come from {@link QuotaMessages} and are shown as they are.
 */
final class BotMessages {
    /** Longest piece of a prompt shown in a message (Discord allows 2,000 characters per message). */
    static final int PROMPT_SHOWN = 1_200;
    /** Discord's message length limit. */
    static final int MESSAGE_LIMIT = 2_000;

    private BotMessages() {
    }

    // ---- command descriptions ---------------------------------------------------------------------------------

    static final String IMAGINE = "Make four images from a prompt";
    static final String IMAGINE_PROMPT = "What to draw, then parameters, e.g. a lighthouse at dusk --ar 3:2 --seed 42";
    static final String IMAGINE_ASPECT = "Aspect ratio, width:height (same as --ar)";
    static final String IMAGINE_SEED = "Seed for repeatable images, 0 to 4294967295 (same as --seed)";
    static final String IMAGINE_NEGATIVE = "What to leave out, comma-separated (same as --no)";
    static final String INFO = "Your plan, images used and left, lane, renewal date and your jobs";
    static final String SETTINGS = "Your defaults for /imagine, and private mode";
    static final String SETTINGS_ASPECT = "Default aspect ratio (\"default\" clears it)";
    static final String SETTINGS_SAMPLER = "Default sampler (\"default\" clears it)";
    static final String SETTINGS_STEPS = "Default number of steps (0 clears it)";
    static final String SETTINGS_PRIVATE = "Private mode: results and prompts only you can see (if your plan allows)";
    static final String CANCEL = "Stop one of your queued or running jobs";
    static final String CANCEL_JOB = "Which job (default: your latest active one)";
    static final String PLANS = "Manage this server's plans, members' plans and quotas";
    static final String PLANS_LIST = "All plans, the default plan and role/SKU mappings";
    static final String PLANS_SHOW = "One plan's fields";
    static final String PLANS_SET = "Change one field of a plan";
    static final String PLANS_CREATE = "Create a plan (from fields, or as a copy of another plan)";
    static final String PLANS_DELETE = "Delete a plan (a plan in use needs a replacement)";
    static final String PLANS_DEFAULT = "Set the plan of members nothing else applies to";
    static final String PLANS_PERIODS = "Count monthly periods by calendar month or by each member's start date";
    static final String PLANS_ASSIGN = "Give a member a plan (optionally for some days)";
    static final String PLANS_UNASSIGN = "Take a plan assignment away from a member";
    static final String PLANS_ASSIGNMENTS = "A member's plan assignments";
    static final String PLANS_ROLE = "Map a role to a plan (no plan: remove the mapping)";
    static final String PLANS_SKU = "Map a Discord SKU (app subscription) to a plan (no plan: remove the mapping)";
    static final String PLANS_BONUS = "Give a member bonus images (they never expire)";
    static final String PLANS_RESET = "Set a member's used images back to 0";
    static final String PLANS_AUDIT = "Latest plan changes: who changed what, when";
    static final String OPTION_PLAN = "Plan name";
    static final String OPTION_FIELD = "Plan field";
    static final String OPTION_VALUE = "New value (numbers, unlimited, none, true/false, fast/relax …)";
    static final String OPTION_NAME = "Name of the new plan: a-z, 0-9, - and _";
    static final String OPTION_COPY_OF = "Start from a copy of this plan";
    static final String OPTION_FIELDS = "Fields, e.g. images=100 renews=monthly lane=fast displayName=\"Gold tier\"";
    static final String OPTION_REPLACEMENT = "Plan that takes over the deleted plan's members, roles and SKUs";
    static final String OPTION_MODE = "How monthly periods are counted";
    static final String OPTION_USER = "Member";
    static final String OPTION_DAYS = "Days until the assignment ends (none: until unassigned)";
    static final String OPTION_ROLE = "Role";
    static final String OPTION_SKU = "SKU id (from the developer portal)";
    static final String OPTION_IMAGES = "Number of images";
    static final String OPTION_LIMIT = "How many entries (default 10)";
    static final String MODERATION = "Server moderation for prompts";
    static final String MODERATION_WORDS = "Words not allowed in prompts";
    static final String MODERATION_ADD = "Ban a word or phrase";
    static final String MODERATION_REMOVE = "Allow a banned word again";
    static final String MODERATION_LIST = "List the banned words";
    static final String OPTION_WORD = "Word or phrase (whole words, any case)";

    // ---- button labels ----------------------------------------------------------------------------------------

    static final String CANCEL_BUTTON = "Cancel";
    static final String VARY_SUBTLE = "Vary (Subtle)";
    static final String VARY_STRONG = "Vary (Strong)";
    static final String UPSCALE_AGAIN = "Upscale (2×)";
    static final String REROLL_EMOJI = "\uD83D\uDD04";

    static String upscaleLabel(int index) {
        return "U" + index;
    }

    static String variationLabel(int index) {
        return "V" + index;
    }

    // ---- job status (the private message of the interaction) -----------------------------------------------------

    static String queued(Job job, QueueStanding standing) {
        String where = standing == null ? "queued"
                : standing.running() ? "starting"
                : "queued (#" + standing.position() + ", starts " + in(standing.untilStart()) + ", ready "
                + in(standing.untilDone()) + ")";
        return "\u23F3 " + what(job) + " — " + where + ". You can close this; I'll post the result.";
    }

    static String running(Job job, int percent, int step, int totalSteps) {
        return "\uD83C\uDFA8 " + what(job) + " — " + percent + "% (step " + step + " of " + totalSteps + ")";
    }

    static String stopping(Job job) {
        return "\u23F9 " + what(job) + " — stopping at the next step …";
    }

    static String doneHere(Job job) {
        return "\u2705 " + what(job) + " — done, see below.";
    }

    static String doneInChannel(Job job) {
        return "\u2705 " + what(job) + " — done, posted in this channel.";
    }

    static String failed(Job job) {
        return "\u274C " + what(job) + " failed: " + job.failureReason() + ". Nothing was charged; try again, "
                + "perhaps with a smaller size or fewer steps.";
    }

    static String cancelled(Job job) {
        return "\uD83D\uDEAB " + what(job) + " — cancelled. Nothing was charged.";
    }

    /** Job kind and prompt: "**a lighthouse at dusk**", "Upscale of image 2 of **…**". */
    static String what(Job job) {
        String prompt = "**" + shown(job.params().prompt()) + "**";
        return switch (job.kind()) {
            case IMAGINE -> prompt;
            case UPSCALE -> "Upscale of image " + (job.origin().candidateIndex() + 1) + " of " + prompt;
            case VARIATION -> "Variations of image " + (job.origin().candidateIndex() + 1) + " of " + prompt;
            case REROLL -> "Re-roll of " + prompt;
        };
    }

    // ---- results ----------------------------------------------------------------------------------------------

    /**
     * The text above a result's picture: prompt, owner, seed, model, and a note when the picture was re-encoded to
     * fit the upload limit.
     */
    static String result(Job job, String ownerMention, UploadFitter.Fitted file, long limit, int upscaleFactor) {
        StringBuilder sb = new StringBuilder(what(job));
        if (job.kind() == JobKind.UPSCALE) {
            sb.append(" (").append(upscaleFactor).append("×)");
        }
        if (ownerMention != null) {
            sb.append(" — ").append(ownerMention);
        }
        var p = job.params();
        sb.append("\nseed ").append(job.seed()).append(" · ").append(p.model()).append(" · ")
                .append(p.steps()).append(" steps · ").append(p.sampler().id());
        if (!p.negativePrompt().isEmpty()) {
            sb.append(" · no: ").append(shown(p.negativePrompt()));
        }
        if (file.form() != UploadFitter.Form.PNG) {
            sb.append("\n*Sent as ").append(file.form() == UploadFitter.Form.JPEG ? "JPEG" : "a smaller JPEG (")
                    .append(file.form() == UploadFitter.Form.JPEG ? "" : file.width() + "×" + file.height() + ")")
                    .append(" to fit this place's ").append(bytes(limit))
                    .append(" upload limit; the full-quality PNG is kept.*");
        }
        return fit(sb.toString());
    }

    /** A result delivered after the interaction expired, in the channel: the owner is mentioned. */
    static String lateResultIntro(String ownerMention) {
        return ownerMention + ", your images are ready:";
    }

    /** The DM that carries a failure once the interaction has expired. */
    static String failedLater(Job job) {
        return "Your job `" + job.id() + "` (" + what(job) + ") failed: " + job.failureReason()
                + ". Nothing was charged.";
    }

    // ---- refusals: what happened and what to do -------------------------------------------------------------------

    static String invalidPrompt(String problem) {
        return "\u26A0\uFE0F I couldn't read that prompt: " + problem + ". Fix it and run /imagine again "
                + "(parameters go after the description, e.g. `a lighthouse at dusk --ar 3:2`).";
    }

    static String quotaDenied(String reason) {
        return "\u26D4 " + reason + " Use /info to see your plan, usage and jobs.";
    }

    static String bannedWord(String word) {
        return "\u26D4 This server does not allow \"" + shown(word) + "\" in prompts. Rephrase your prompt and try again.";
    }

    static String notYourButtons(String ownerMention) {
        return "\u26D4 These buttons belong to " + ownerMention + "'s images: only they (or a server admin) can use "
                + "them. Run /imagine to make your own.";
    }

    static String buttonRejected(String reason) {
        return "\u26A0\uFE0F That button can't be used: " + reason + ".";
    }

    static String unknownButton() {
        return "\u26A0\uFE0F This button is from an older version of the bot; run /imagine again.";
    }

    static String notAnAdmin() {
        return "\u26D4 Only members with the Manage Server permission can use this command.";
    }

    static String guildOnly() {
        return "\u26D4 This command works in a server, not in direct messages.";
    }

    static String busy() {
        return "\u26A0\uFE0F Something went wrong on my side; nothing was charged. Please try again in a minute.";
    }

    // ---- /info ------------------------------------------------------------------------------------------------

    static String info(Usage u, List<ListJobs.Entry> active, boolean inGuild) {
        Plan p = u.plan();
        StringBuilder sb = new StringBuilder();
        sb.append("**Plan:** ").append(p.displayName()).append(" (").append(source(u.source(), u.resolution().detail()))
                .append(")");
        if (!u.resolution().addOns().isEmpty()) {
            sb.append(" + ").append(u.resolution().addOns().stream().map(Plan::displayName)
                    .collect(Collectors.joining(", ")));
        }
        sb.append("\n**Images:** ");
        if (p.isUnlimited()) {
            sb.append(u.used()).append(" used this period (unlimited)");
        } else {
            sb.append(u.used()).append(" of ").append(p.images().getAsInt()).append(" used, ")
                    .append(u.remaining().planImages().getAsInt()).append(" left");
        }
        if (u.bonus() > 0) {
            sb.append(" + ").append(u.bonus()).append(" bonus");
        }
        sb.append("\n**Lane:** ").append(u.lane().key());
        sb.append("\n**Renews:** ").append(u.period().renewsAt().map(QuotaMessages::when)
                .orElse("never (a one-time allowance)"));
        sb.append("\n**Private mode:** ");
        if (!u.resolution().privateResults()) {
            sb.append("not available on your plan");
        } else {
            sb.append(u.privateNow() ? "on — your results and prompts are visible only to you"
                    : "off (turn it on with /settings private:true)");
        }
        if (!inGuild) {
            sb.append("\n*(In direct messages you use the bot's own default plan, not a server's.)*");
        }
        sb.append("\n**Jobs:** ");
        if (active.isEmpty()) {
            sb.append("none running or queued");
        }
        for (ListJobs.Entry e : active) {
            sb.append("\n• `").append(e.job().id()).append("` ").append(what(e.job())).append(" — ")
                    .append(standing(e.job(), e.standing().orElse(null)));
        }
        return fit(sb.toString());
    }

    private static String source(PlanSource source, String detail) {
        return switch (source) {
            case ASSIGNMENT -> "given by an admin: " + detail;
            case ROLE -> "from your role: " + detail;
            case ENTITLEMENT -> "from your subscription: " + detail;
            case GUILD_DEFAULT -> "the server's default";
        };
    }

    static String standing(Job job, QueueStanding s) {
        if (s == null) {
            return job.status().name().toLowerCase(java.util.Locale.ROOT);
        }
        return s.running() ? "running, ready " + in(s.untilDone())
                : "queued #" + s.position() + ", starts " + in(s.untilStart());
    }

    // ---- /settings ---------------------------------------------------------------------------------------------

    static String settings(Preferences p, String privateLine) {
        return "**Your defaults for /imagine** (a prompt's own parameters always win):"
                + "\n• aspect ratio: " + (p.aspectRatio() == null ? "server default" : p.aspectRatio())
                + "\n• sampler: " + (p.sampler() == null ? "server default" : p.sampler())
                + "\n• steps: " + (p.steps() == null ? "server default" : p.steps())
                + "\n• private mode: " + privateLine;
    }

    static String privateOn() {
        return "on — results and prompts are visible only to you";
    }

    static String privateOff(boolean allowed) {
        return allowed ? "off" : "not available on your plan";
    }

    static String privateNotAllowed() {
        return "\u26D4 Private mode is not available on your plan; it comes with the private add-on of a paid plan. "
                + "Ask a server admin, or see /info for your plan.";
    }

    static String privateNeedsGuild() {
        return "\u26D4 Private mode is set per server; use /settings private in the server.";
    }

    static String stepsOutOfRange(int max) {
        return "\u26A0\uFE0F steps must be between 1 and " + max + " (0 clears your default).";
    }

    // ---- /cancel -------------------------------------------------------------------------------------------------

    static String nothingToCancel() {
        return "You have no queued or running job to cancel.";
    }

    static String noSuchJob(String typed) {
        return "\u26A0\uFE0F There is no job `" + shown(typed) + "`. Use /info to see your jobs and their ids.";
    }

    static String cancelledNow(Job job) {
        return "\uD83D\uDEAB Cancelled `" + job.id() + "` (" + what(job) + "); nothing was charged.";
    }

    static String stoppingNow(Job job) {
        return "\u23F9 Stopping `" + job.id() + "` (" + what(job) + ") at its next step; nothing will be charged.";
    }

    static String alreadyFinished(Job job) {
        return "`" + job.id() + "` has already " + switch (job.status()) {
            case DONE -> "finished";
            case FAILED -> "failed";
            default -> "been cancelled";
        } + "; there is nothing to cancel.";
    }

    static String cancelNotAllowed(String reason) {
        return "\u26D4 " + reason + ".";
    }

    static String jobChoice(Job job) {
        return cut(job.id() + " · " + job.kind().name().toLowerCase(java.util.Locale.ROOT) + " · " + job.params().prompt(), 100);
    }

    // ---- admin: /plans -------------------------------------------------------------------------------------------

    static String adminDone(AuditEntry audit) {
        return "\u2705 " + audit.subject() + ": " + audit.change();
    }

    static String adminRejected(String message) {
        return "\u274C " + message;
    }

    static String plansList(GuildQuotaConfig c) {
        StringBuilder sb = new StringBuilder("**Plans** (default: `").append(c.settings().defaultPlan())
                .append("`, periods: ").append(c.settings().periodMode().key()).append(")");
        for (Plan p : c.plans()) {
            sb.append("\n• `").append(p.name()).append("` ").append(p.displayName()).append(p.addOn() ? " (add-on)" : "")
                    .append(" — ").append(summary(p));
        }
        sb.append("\n**Roles:** ").append(mappings(c.roleToPlan(), "<@&", ">"));
        sb.append("\n**SKUs:** ").append(mappings(c.skuToPlan(), "", ""));
        return sb.toString();
    }

    private static String summary(Plan p) {
        if (p.addOn()) {
            return "private results: " + p.privateAccess().key();
        }
        return PlanField.IMAGES.format(p) + " images, renews " + p.renewal().key() + ", " + p.lane().key() + " lane, "
                + p.maxRunning() + "/" + p.maxQueued() + " jobs, private " + p.privateAccess().key();
    }

    private static String mappings(Map<String, String> m, String before, String after) {
        if (m.isEmpty()) {
            return "none";
        }
        return new TreeMap<>(m).entrySet().stream().map(e -> before + e.getKey() + after + " → `" + e.getValue() + "`")
                .collect(Collectors.joining(", "));
    }

    static String planShow(Plan p, boolean isDefault) {
        StringBuilder sb = new StringBuilder("**").append(p.displayName()).append("** (`").append(p.name())
                .append("`").append(isDefault ? ", the default plan" : "").append(")");
        for (PlanField f : PlanField.values()) {
            if (p.addOn() && !PlanField.ADD_ON_FIELDS.contains(f)) {
                continue;
            }
            sb.append("\n• ").append(f.key()).append(": ").append(f.format(p));
        }
        return sb.toString();
    }

    static String unknownPlan(String name, List<Plan> plans) {
        return "\u274C plan: unknown plan '" + shown(name) + "'; plans are "
                + plans.stream().map(Plan::name).sorted().collect(Collectors.joining(", "));
    }

    static String assignments(String userMention, List<Assignment> list) {
        if (list.isEmpty()) {
            return userMention + " has no plan assignments.";
        }
        return userMention + "'s assignments:" + list.stream().map(a -> "\n• `" + a.plan() + "` by <@" + a.assignedBy()
                + "> on " + QuotaMessages.when(a.assignedAt())
                + a.expiresAt().map(t -> ", until " + QuotaMessages.when(t)).orElse(", no end"))
                .collect(Collectors.joining());
    }

    static String audit(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return "No plan changes yet.";
        }
        return "**Latest plan changes:**" + entries.stream().map(e -> "\n• " + QuotaMessages.when(e.at()) + " <@"
                + e.actorId() + "> " + e.subject() + ": " + e.change()).collect(Collectors.joining());
    }

    static String fieldProblem(FieldList.BadFields e) {
        String k = shown(e.key);
        return badFields(switch (e.problem) {
            case NO_VALUE -> "\"" + k + "\" has no value (write " + k + "=value)";
            case NO_NAME -> "the value at position " + k + " has no field name before its '='";
            case UNCLOSED_QUOTE -> "the value of " + k + " opens a quote that is never closed";
            case EMPTY_VALUE -> k + " has an empty value";
            case TWICE -> k + " is given twice";
        });
    }

    static String badFields(String problem) {
        return "\u274C fields: " + problem + ". Write them as key=value pairs separated by spaces, e.g. "
                + "`images=100 renews=monthly lane=fast displayName=\"Gold tier\"`; known fields: "
                + PlanField.allKeys() + ".";
    }

    static String badSku(String typed) {
        return "\u274C sku: '" + shown(typed) + "' is not an id; copy the SKU id (a number) from the developer portal.";
    }

    // ---- admin: /moderation ------------------------------------------------------------------------------------------

    static String wordAdded(String word) {
        return "\u2705 \"" + shown(word) + "\" is now banned in prompts on this server.";
    }

    static String wordAlreadyBanned(String word) {
        return "\"" + shown(word) + "\" is already banned.";
    }

    static String wordRemoved(String word) {
        return "\u2705 \"" + shown(word) + "\" is allowed again.";
    }

    static String wordNotBanned(String word) {
        return "\u274C \"" + shown(word) + "\" is not on the list; /moderation words list shows it.";
    }

    static String badWord() {
        return "\u274C word: give a word or phrase of 1 to " + BannedWords.MAX_LENGTH
                + " characters with at least one letter or digit.";
    }

    static String tooManyWords() {
        return "\u274C This server already bans " + BannedWords.MAX_WORDS + " words, the most allowed; remove some first.";
    }

    static String wordList(List<String> words) {
        return words.isEmpty() ? "No words are banned on this server."
                : "**Banned in prompts (" + words.size() + "):** " + words.stream().map(w -> "\"" + shown(w) + "\"")
                .collect(Collectors.joining(", "));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** "in ~3 min", "in under a minute", "in ~1 h 5 min". */
    static String in(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return "in under a minute";
        }
        long min = Math.round(s / 60.0);
        return min < 60 ? "in ~" + min + " min" : "in ~" + (min / 60) + " h" + (min % 60 == 0 ? "" : " " + (min % 60) + " min");
    }

    /** Markdown-escaped and shortened user text. */
    static String shown(String text) {
        return MarkdownSanitizer.escape(cut(text, PROMPT_SHOWN));
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** Shortens a whole message to Discord's limit. */
    static String fit(String s) {
        return cut(s, MESSAGE_LIMIT);
    }

    static String bytes(long n) {
        if (n >= 1024 * 1024) {
            double mib = n / (1024.0 * 1024.0);
            return (mib == Math.rint(mib) ? Long.toString((long) mib) : String.format(java.util.Locale.ROOT, "%.1f", mib)) + " MiB";
        }
        if (n >= 1024) {
            return (n / 1024) + " KiB";
        }
        return n + " bytes";
    }

    /** Splits a long text at line breaks into messages of at most {@link #MESSAGE_LIMIT} characters. */
    static List<String> chunks(String text) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String l = cut(line, MESSAGE_LIMIT);
            if (cur.length() > 0 && cur.length() + 1 + l.length() > MESSAGE_LIMIT) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            if (cur.length() > 0) {
                cur.append('\n');
            }
            cur.append(l);
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
