package dev.easel.application;

/** The engine could not make a request's images; {@link #reason()} is shown to the user. */
public class GenerationFailedException extends Exception {
    private final String reason;

    public GenerationFailedException(String reason) {
        this(reason, null);
    }

    public GenerationFailedException(String reason, Throwable cause) {
        super(reason, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
