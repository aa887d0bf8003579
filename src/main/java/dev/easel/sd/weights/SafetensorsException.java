package dev.easel.sd.weights;

import java.io.IOException;

/** A safetensors file (or a weight set) that cannot be read: the message says which file, tensor and why. */
public class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
