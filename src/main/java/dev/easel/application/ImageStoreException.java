package dev.easel.application;

/** An image could not be written or read. */
public class ImageStoreException extends RuntimeException {
    public ImageStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
