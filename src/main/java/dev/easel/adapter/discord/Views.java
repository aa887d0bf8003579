package dev.easel.adapter.discord;

import dev.easel.application.ButtonAction;
import dev.easel.application.ButtonCodec;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** Builds the bot's Discord messages (text from {@link BotMessages}, buttons, files). No message mentions anyone
 * but the owner of a result, so a prompt with "@everyone" in it pings no one. */
final class Views {
    /** Custom id prefix of a status message's Cancel button: {@code c1:<jobId>}. */
    static final String CANCEL_PREFIX = "c1:";
    /** Most buttons in one action row. */
    private static final int ROW = 5;
    /** Candidate buttons exist for candidates 1–9 ({@link ButtonAction}'s index range). */
    private static final int MAX_CANDIDATE_BUTTONS = 9;

    private Views() {
    }

    /** A plain text message that mentions no one. */
    static MessageCreateData text(String content) {
        return new MessageCreateBuilder().setContent(content).setAllowedMentions(EnumSet.noneOf(Message.MentionType.class))
                .build();
    }

    /** An edit that replaces the text and removes buttons and files. */
    static MessageEditData finalText(String content) {
        return new MessageEditBuilder().setContent(content).setComponents().setAttachments()
                .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class)).build();
    }

    /**
     * A status edit: text, a Cancel button while the job can be cancelled, and a new preview picture when given
     * (otherwise the previous preview stays).
     */
    static MessageEditData status(String content, JobId cancellable, FileUpload preview) {
        MessageEditBuilder b = new MessageEditBuilder().setContent(content)
                .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class));
        b.setComponents(cancellable == null ? List.of()
                : List.of(ActionRow.of(Button.danger(CANCEL_PREFIX + cancellable.value(), BotMessages.CANCEL_BUTTON))));
        if (preview != null) {
            b.setAttachments(preview);
        }
        return b.build();
    }

    /** The job id of a Cancel button's custom id. */
    static Optional<JobId> cancelTarget(String customId) {
        return customId.startsWith(CANCEL_PREFIX) ? JobId.parse(customId.substring(CANCEL_PREFIX.length()))
                : Optional.empty();
    }

    /**
     * A result: the text (prompt, owner, seed, model), the picture and the job's buttons.
     *
     * @param ownerId who may be mentioned (null: no one)
     * @param intro   a line put first (the late delivery's "@owner, your images are ready"), or null
     */
    static MessageCreateData result(Job job, UploadFitter.Fitted file, String ownerId, String intro, long limit,
                                    int upscaleFactor) {
        String mention = ownerId == null ? null : "<@" + ownerId + ">";
        String text = BotMessages.result(job, intro == null ? mention : null, file, limit, upscaleFactor);
        MessageCreateBuilder b = new MessageCreateBuilder()
                .setContent(intro == null ? text : BotMessages.fit(intro + "\n" + text))
                .setFiles(FileUpload.fromData(file.bytes(), file.fileName()))
                .setComponents(buttons(job))
                .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class));
        if (ownerId != null) {
            b.mentionUsers(ownerId);
        }
        return b.build();
    }

    /**
     * Grid jobs: U1–U4 and 🔄 in the first row, V1–V4 in the second (more candidates: more rows). Upscales: Vary
     * (Subtle), Vary (Strong) and a further upscale (the member's plan decides whether it may go that far).
     */
    static List<ActionRow> buttons(Job job) {
        JobId id = job.id();
        if (job.kind() == JobKind.UPSCALE) {
            return List.of(ActionRow.of(
                    Button.secondary(ButtonCodec.encode(ButtonAction.varySubtle(id, 1)), BotMessages.VARY_SUBTLE),
                    Button.secondary(ButtonCodec.encode(ButtonAction.varyStrong(id, 1)), BotMessages.VARY_STRONG),
                    Button.secondary(ButtonCodec.encode(ButtonAction.upscale(id, 1)), BotMessages.UPSCALE_AGAIN)));
        }
        int n = Math.min(job.outputImageIds().isEmpty() ? job.imageCount() : job.outputImageIds().size(),
                MAX_CANDIDATE_BUTTONS);
        List<Button> ups = new ArrayList<>();
        List<Button> varies = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ups.add(Button.secondary(ButtonCodec.encode(ButtonAction.upscale(id, i)), BotMessages.upscaleLabel(i)));
            varies.add(Button.secondary(ButtonCodec.encode(ButtonAction.varyStrong(id, i)), BotMessages.variationLabel(i)));
        }
        Button reroll = Button.secondary(ButtonCodec.encode(ButtonAction.reroll(id)),
                Emoji.fromUnicode(BotMessages.REROLL_EMOJI));
        List<ActionRow> rows = new ArrayList<>(rows(ups));
        ActionRow first = rows.get(0);
        if (n < ROW) {
            List<Button> withReroll = new ArrayList<>(first.getButtons());
            withReroll.add(reroll);
            rows.set(0, ActionRow.of(withReroll));
        }
        rows.addAll(rows(varies));
        if (n >= ROW) {
            rows.add(ActionRow.of(reroll));
        }
        return rows;
    }

    private static List<ActionRow> rows(List<Button> buttons) {
        List<ActionRow> rows = new ArrayList<>();
        for (int i = 0; i < buttons.size(); i += ROW) {
            rows.add(ActionRow.of(buttons.subList(i, Math.min(buttons.size(), i + ROW))));
        }
        return rows;
    }
}
