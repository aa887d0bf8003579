package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;

/** torch.nn.Linear: y = x Wᵀ + b, weight [out, in]. */
public final class Linear extends Module {
    public final int in;
    public final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", out, in);
        this.bias = bias ? parameter("bias", out) : null;
    }

    public Linear(int in, int out) {
        this(in, out, true);
    }

    /** [..., in] -> [..., out] */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.get(), bias == null ? null : bias.get()).singletonOrThrow();
    }
}
