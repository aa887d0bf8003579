package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** Activations and normalisations that DJL lacks as single ops, written as op chains. */
public final class Ops {
    private Ops() {
    }

    /** SiLU / swish: x·σ(x). */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** CLIP's quick_gelu: x·σ(1.702x). */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(x.mul(1.702f)));
    }

    /** Exact (erf) GELU, as torch.nn.functional.gelu with approximate='none'. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /**
     * GroupNorm over [B, C, ...]: reshape to [B, G, C/G·…], normalise each group with layer norm
     * (unit scale, zero shift), reshape back, then apply the per-channel affine γ, β.
     * Computed in float32 when the input is float16 (as torch's CPU/CUDA kernels accumulate).
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long c = shape.get(1);
        long groupSize = shape.size() / (b * groups);
        DataType type = x.getDataType();
        NDArray xf = type == DataType.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
        NDArray grouped = xf.reshape(b, groups, groupSize);
        NDArray ones = xf.getManager().ones(new Shape(groupSize), xf.getDataType());
        NDArray zeros = xf.getManager().zeros(new Shape(groupSize), xf.getDataType());
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, new Shape(groupSize), ones, zeros, eps)
                .singletonOrThrow().reshape(shape);
        if (type == DataType.FLOAT16) {
            normed = normed.toType(DataType.FLOAT16, false);
        }
        long[] affine = new long[shape.dimension()];
        java.util.Arrays.fill(affine, 1);
        affine[1] = c;
        Shape affineShape = new Shape(affine);
        // gamma.reshape would belong to the weights' manager (first operand) and pile up there: attach
        // the views to the input's manager so they are freed with the step.
        NDArray g = gamma.reshape(affineShape);
        NDArray bt = beta.reshape(affineShape);
        g.attach(x.getManager());
        bt.attach(x.getManager());
        return normed.mul(g).add(bt);
    }
}
