package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;

/** torch.nn.GroupNorm(groups, channels, eps, affine=True). */
public final class GroupNorm extends Module {
    private final int groups;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int groups, int channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not divide into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = (float) eps;
        this.weight = parameter("weight", channels);
        this.bias = parameter("bias", channels);
    }

    /** [B, C, ...] -> [B, C, ...], fused or as an op chain by {@link Kernels#mode()}. */
    public NDArray forward(NDArray x) {
        return Kernels.groupNorm(x, groups, weight.get(), bias.get(), eps, false);
    }

    /** SiLU(GroupNorm(x)), one fused kernel where {@link Kernels} allows it: [B, C, ...] -> [B, C, ...] */
    public NDArray forwardSilu(NDArray x) {
        return Kernels.groupNorm(x, groups, weight.get(), bias.get(), eps, true);
    }
}
