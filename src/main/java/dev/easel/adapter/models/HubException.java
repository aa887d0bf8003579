package dev.easel.adapter.models;

import java.io.IOException;

/** The hub refused or failed a request; the message says what to do about it. */
public final class HubException extends IOException {
    private final int status;

    public HubException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }
}
