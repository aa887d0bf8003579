package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' ResnetBlock2D: GroupNorm → SiLU → conv → (+ time embedding) → GroupNorm → SiLU →
 * conv, plus a 1×1 shortcut when channels change. The VAE's blocks have no time embedding.
 */
public final class ResnetBlock2D extends Module {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final float outputScale;

    /** @param tembChannels time-embedding width, or 0 for none (VAE) */
    public ResnetBlock2D(int in, int out, int tembChannels, int groups, double eps, double outputScale) {
        this.norm1 = child("norm1", new GroupNorm(groups, in, eps));
        this.conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1));
        this.timeEmbProj = tembChannels > 0 ? child("time_emb_proj", new Linear(tembChannels, out)) : null;
        this.norm2 = child("norm2", new GroupNorm(groups, out, eps));
        this.conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
        this.convShortcut = in != out ? child("conv_shortcut", new Conv2d(in, out, 1, 1, 0)) : null;
        this.outputScale = (float) outputScale;
    }

    /**
     * @param x    [B, in, H, W]
     * @param temb [B, temb] (already the time embedding; SiLU is applied here) or null
     * @return [B, out, H, W]
     */
    public NDArray forward(NDArray x, NDArray temb) {
        return scoped(() -> compute(x, temb));
    }

    private NDArray compute(NDArray x, NDArray temb) {
        NDArray h = conv1.forward(norm1.forwardSilu(x));
        if (timeEmbProj != null && temb != null) {
            NDArray t = timeEmbProj.forward(Ops.silu(temb)); // [B, out]
            h = h.add(t.expandDims(-1).expandDims(-1));      // broadcast over H, W
        }
        h = conv2.forward(norm2.forwardSilu(h));
        NDArray skip = convShortcut != null ? convShortcut.forward(x) : x;
        NDArray out = skip.add(h);
        return outputScale == 1f ? out : out.div(outputScale);
    }
}
