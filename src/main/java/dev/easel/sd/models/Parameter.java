package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A named weight with the shape its module's config implies; the array is set when weights load. */
public final class Parameter {
    private final Shape shape;
    private NDArray array;

    Parameter(Shape shape) {
        this.shape = shape;
    }

    public Shape shape() {
        return shape;
    }

    public boolean isLoaded() {
        return array != null;
    }

    /** The loaded array; throws if weights were never loaded. */
    public NDArray get() {
        if (array == null) {
            throw new IllegalStateException("parameter of shape " + shape + " has no weights loaded");
        }
        return array;
    }

    public void set(NDArray value) {
        if (!value.getShape().equals(shape)) {
            throw new IllegalArgumentException("expected shape " + shape + ", got " + value.getShape());
        }
        this.array = value;
    }
}
