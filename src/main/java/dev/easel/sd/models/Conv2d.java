package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.Conv2d with square kernel, stride and padding; weight [out, in, k, k]. */
public final class Conv2d extends Module {
    public final int in;
    public final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = parameter("weight", out, in, kernel, kernel);
        this.bias = parameter("bias", out);
    }

    /** [B, in, H, W] -> [B, out, H', W'] */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.get(), bias.get(),
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
    }

    public int kernel() {
        return kernel;
    }
}
