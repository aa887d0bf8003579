package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A node of a model tree, named like the PyTorch module it mirrors. Parameters and children are
 * declared in the constructor with the shapes the config implies; nothing is allocated until
 * weights load, so a full-size model can be built just to list its parameter names and shapes.
 * The dotted names ({@code down_blocks.0.resnets.1.conv1.weight}) equal the keys of diffusers /
 * transformers checkpoints.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    protected final Parameter parameter(String name, long... shape) {
        Parameter p = new Parameter(new Shape(shape));
        if (parameters.put(name, p) != null) {
            throw new IllegalStateException("duplicate parameter " + name);
        }
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.put(name, module) != null) {
            throw new IllegalStateException("duplicate child " + name);
        }
        return module;
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter below this module under its full dotted name, in declaration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /** Parameter names and shapes, as the test against real checkpoints compares them. */
    public final Map<String, Shape> parameterShapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> out.put(n, p.shape()));
        return out;
    }

    /**
     * Runs a block's computation in an {@link NDScope}: every array created inside is freed when
     * it returns, except the result. Without this, all ~1,450 intermediates of a UNet forward
     * would live until the step's manager closes; with it, peak memory is a few blocks' worth.
     */
    protected static NDArray scoped(Supplier<NDArray> body) {
        try (NDScope scope = new NDScope()) {
            NDArray out = body.get();
            NDScope.unregister(out);
            return out;
        }
    }

    /** Calls {@code visitor} on this module and every module below it, depth first. */
    public final void visit(java.util.function.Consumer<Module> visitor) {
        visitor.accept(this);
        children.values().forEach(c -> c.visit(visitor));
    }

    /** Uses {@code kernel} for every attention layer below this module. */
    public final void setAttentionKernel(AttentionKernel kernel) {
        visit(m -> {
            if (m instanceof Attention a) {
                a.setKernel(kernel);
            }
        });
    }

    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.shape().size();
        }
        return n;
    }
}
