package dev.easel.application;

/** The accelerator (or host) ran out of memory for this call; the worker retries merged jobs one by one. */
public class GenerationOutOfMemoryException extends GenerationFailedException {
    public GenerationOutOfMemoryException(String reason) {
        super(reason);
    }

    public GenerationOutOfMemoryException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
