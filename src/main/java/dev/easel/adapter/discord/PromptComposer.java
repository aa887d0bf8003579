package dev.easel.adapter.discord;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns {@code /imagine}'s typed options and the member's {@link Preferences} into Midjourney-style parameters
 * appended to the prompt text, so that {@code PromptParser} (through SubmitImagine) stays the only parser. Typed
 * options are always added (a clash with the same parameter in the prompt is reported by the parser);
 * preferences only fill in what neither the prompt nor the options say.
 */
final class PromptComposer {
    /** What the member typed into the optional options of /imagine; null = not given. */
    record Typed(String aspectRatio, Long seed, String negative) {
        static final Typed NONE = new Typed(null, null, null);
    }

    private PromptComposer() {
    }

    static String compose(String prompt, Typed typed, Preferences prefs) {
        StringBuilder sb = new StringBuilder(prompt.strip());
        if (typed.aspectRatio() != null) {
            sb.append(" --ar ").append(typed.aspectRatio());
        } else if (prefs.aspectRatio() != null && !has(prompt, "ar", "aspect", "size")) {
            sb.append(" --ar ").append(prefs.aspectRatio());
        }
        if (prefs.sampler() != null && !has(prompt, "sampler")) {
            sb.append(" --sampler ").append(prefs.sampler());
        }
        if (prefs.steps() != null && !has(prompt, "steps", "q", "quality")) {
            sb.append(" --steps ").append(prefs.steps());
        }
        if (typed.seed() != null) {
            sb.append(" --seed ").append(typed.seed());
        }
        if (typed.negative() != null && !typed.negative().isBlank()) {
            // last: --no takes every word up to the next parameter
            sb.append(" --no ").append(typed.negative().strip());
        }
        return sb.toString();
    }

    /** Whether the prompt has one of these parameters ("--name", or an em/en dash as phones type it). */
    static boolean has(String prompt, String... names) {
        for (String name : names) {
            Pattern p = Pattern.compile("(?:^|\\s)(?:--|\u2014|\u2013)" + Pattern.quote(name.toLowerCase(Locale.ROOT))
                    + "(?=\\s|$)", Pattern.CASE_INSENSITIVE);
            if (p.matcher(prompt).find()) {
                return true;
            }
        }
        return false;
    }
}
