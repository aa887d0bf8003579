package dev.easel.application;

import dev.easel.domain.job.JobId;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a result button asks for. Its custom id carries only this; everything else is read from the stored job.
 *
 * @param index 1-based candidate (U1–U4, V1–V4); 0 for a re-roll
 */
public record ButtonAction(Kind kind, JobId jobId, int index) {

    public enum Kind {
        UPSCALE("up"), VARY_SUBTLE("vs"), VARY_STRONG("vx"), REROLL("rr");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        static Optional<Kind> ofCode(String code) {
            return Arrays.stream(values()).filter(k -> k.code.equals(code)).findFirst();
        }
    }

    public ButtonAction {
        if (kind == null || jobId == null) {
            throw new IllegalArgumentException("a button needs an action and a job");
        }
        if (kind == Kind.REROLL ? index != 0 : index < 1 || index > 9) {
            throw new IllegalArgumentException(kind == Kind.REROLL ? "a re-roll button has index 0; got " + index
                    : "a candidate button has index 1..9; got " + index);
        }
    }

    public static ButtonAction upscale(JobId job, int index) {
        return new ButtonAction(Kind.UPSCALE, job, index);
    }

    public static ButtonAction varySubtle(JobId job, int index) {
        return new ButtonAction(Kind.VARY_SUBTLE, job, index);
    }

    public static ButtonAction varyStrong(JobId job, int index) {
        return new ButtonAction(Kind.VARY_STRONG, job, index);
    }

    public static ButtonAction reroll(JobId job) {
        return new ButtonAction(Kind.REROLL, job, 0);
    }
}
