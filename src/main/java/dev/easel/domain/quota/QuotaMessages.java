package dev.easel.domain.quota;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Every member-facing text of the quota domain, in one place so it can be read and translated at once. */
public final class QuotaMessages {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private QuotaMessages() {
    }

    /** An instant as members see it: "2025-03-05 10:00 UTC". */
    public static String when(Instant t) {
        return WHEN.format(t);
    }

    static String stepsNotAllowed(Plan p, int steps) {
        return "Your " + p.displayName() + " plan allows at most " + p.maxSteps() + " steps; this job asks for " + steps + ".";
    }

    static String sizeNotAllowed(Plan p, int width, int height) {
        return "Your " + p.displayName() + " plan allows images of at most " + p.maxPixels() + " pixels with no side over "
                + p.maxSide() + " px; this job asks for " + width + "×" + height + " (" + ((long) width * height) + " pixels).";
    }

    static String upscaleNotAllowed(Plan p, int factor) {
        if (p.maxUpscale() == 0) {
            return "Your " + p.displayName() + " plan does not include upscaling.";
        }
        return "Your " + p.displayName() + " plan allows upscaling up to " + p.maxUpscale() + "×; this job asks for "
                + factor + "×.";
    }

    static String privateNotAllowed(Plan p) {
        if (p.privateAccess() == PrivateAccess.NONE) {
            return "Private results are not available on your " + p.displayName()
                    + " plan; they are an add-on to a paid plan.";
        }
        return "Private results need the private add-on, which you do not have with your " + p.displayName() + " plan.";
    }

    static String tooManyQueued(Plan p, int open) {
        return "You already have " + open + " job" + (open == 1 ? "" : "s") + " queued or running, the most your "
                + p.displayName() + " plan allows. Wait for one to finish.";
    }

    static String tooManyRunning(String planName, int running) {
        return "You already have " + running + " job" + (running == 1 ? "" : "s") + " running, the most your "
                + planName + " plan allows; this one waits its turn.";
    }

    static String trialOver(Plan p, int planLeft, int bonus, int needed) {
        int left = planLeft + bonus;
        if (left == 0) {
            return "Trial over: all " + images(p.images().orElse(0)) + " of your " + p.displayName()
                    + " plan are used, and it does not renew. Ask an admin about a paid plan.";
        }
        return "Your " + p.displayName() + " plan has only " + images(left) + " left and this job needs " + needed
                + "; it does not renew.";
    }

    static String quotaExhausted(Plan p, int planLeft, int bonus, int needed, Instant renewsAt) {
        int left = planLeft + bonus;
        String head = left == 0
                ? "Your " + p.displayName() + " plan's " + p.images().orElse(0) + " images for this period are used up."
                : "Your " + p.displayName() + " plan has only " + images(left) + " left this period and this job needs "
                + needed + ".";
        return head + " It renews on " + when(renewsAt) + ".";
    }

    private static String images(int n) {
        return n + " image" + (n == 1 ? "" : "s");
    }

    /** One line for /info: "Basic: 37 of 100 images used (63 left, +5 bonus), fast lane, renews 2025-03-05 10:00 UTC". */
    public static String summary(Usage u) {
        Plan p = u.plan();
        StringBuilder sb = new StringBuilder(p.displayName()).append(": ");
        if (p.isUnlimited()) {
            sb.append(images(u.used())).append(" this period (unlimited)");
        } else {
            sb.append(u.used()).append(" of ").append(p.images().getAsInt()).append(" images used (")
                    .append(u.remaining().planImages().getAsInt()).append(" left");
            if (u.bonus() > 0) {
                sb.append(", +").append(u.bonus()).append(" bonus");
            }
            sb.append(')');
        }
        sb.append(", ").append(u.lane().key()).append(" lane, ");
        sb.append(u.period().renewsAt().map(t -> "renews " + when(t)).orElse("trial, never renews"));
        return sb.toString();
    }
}
