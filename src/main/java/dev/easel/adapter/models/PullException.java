package dev.easel.adapter.models;

import java.io.IOException;

/** A pull or import that stopped; nothing was installed. The message names the file and the way on. */
public final class PullException extends IOException {
    public PullException(String message) {
        super(message);
    }

    public PullException(String message, Throwable cause) {
        super(message, cause);
    }
}
