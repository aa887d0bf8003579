package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.LayerNorm over the last dimension. */
public final class LayerNorm extends Module {
    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = parameter("weight", dim);
        this.bias = parameter("bias", dim);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), weight.get(), bias.get(), eps).singletonOrThrow();
    }
}
