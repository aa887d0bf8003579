package dev.easel.domain.quota;

/**
 * A plan (or plan defaults) that breaks a rule. The message starts with the field's name as it is
 * written in plans.yaml and admin commands, e.g. {@code "maxQueued: must be at least maxRunning (3)…"}.
 */
public final class InvalidPlanException extends IllegalArgumentException {
    private final String field;

    public InvalidPlanException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The offending field, as named in plans.yaml ("images", "maxQueued", "name", …). */
    public String field() {
        return field;
    }

    /** The message without the leading field name. */
    public String problem() {
        return getMessage().substring(field.length() + 2);
    }
}
