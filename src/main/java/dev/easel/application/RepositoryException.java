package dev.easel.application;

/** A persistence failure (database unreachable, constraint violated); the message says what was being done. */
public class RepositoryException extends RuntimeException {
    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
