package dev.easel.application;

import dev.easel.domain.job.JobId;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Button custom ids: {@code v1:<action>:<jobId>:<index>}, e.g. {@code v1:up:k3j4m5n6p7q8:2} (at most 100
 * characters, Discord's limit; these are 21). The version prefix lets a later format coexist with buttons already
 * posted.
 */
public final class ButtonCodec {
    public static final String VERSION = "v1";
    public static final int MAX_LENGTH = 100;
    private static final Pattern V1 = Pattern.compile("v1:([a-z]{2}):([0-9a-z]{12}):(\\d)");

    private ButtonCodec() {
    }

    public static String encode(ButtonAction action) {
        return VERSION + ":" + action.kind().code() + ":" + action.jobId().value() + ":" + action.index();
    }

    /** The action, or empty for an id this version does not know (old, foreign or tampered). */
    public static Optional<ButtonAction> decode(String customId) {
        if (customId == null || customId.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = V1.matcher(customId);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<ButtonAction.Kind> kind = ButtonAction.Kind.ofCode(m.group(1));
        Optional<JobId> job = JobId.parse(m.group(2));
        int index = Integer.parseInt(m.group(3));
        if (kind.isEmpty() || job.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ButtonAction(kind.get(), job.get(), index));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
