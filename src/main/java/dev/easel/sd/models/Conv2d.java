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
    private boolean circular;

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
        int pad = padding;
        if (circular && padding > 0) {
            x = wrap(x, padding);
            pad = 0;
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.get(), bias.get(),
                new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
    }

    /** Pads with the opposite edge instead of zeros (torch's padding_mode="circular"): seamless tiles. */
    public void setCircular(boolean circular) {
        this.circular = circular;
    }

    /** [B, C, H, W] -> [B, C, H + 2p, W + 2p], wrapping around: left gets the right edge, top the bottom. */
    static NDArray wrap(NDArray x, int p) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray cols = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
                x.get(new ai.djl.ndarray.index.NDIndex(":, :, :, {}:", w - p)), x,
                x.get(new ai.djl.ndarray.index.NDIndex(":, :, :, :{}", p))), 3);
        return ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
                cols.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:", h - p)), cols,
                cols.get(new ai.djl.ndarray.index.NDIndex(":, :, :{}", p))), 2);
    }

    public int kernel() {
        return kernel;
    }
}
