package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** diffusers' Downsample2D / Upsample2D (the conv variants SD uses). */
public final class Sampling {
    private Sampling() {
    }

    /** Downsample2D(use_conv=True): a stride-2 3×3 conv; padding 0 pads right/bottom by one first (VAE). */
    public static final class Downsample2D extends Module {
        private final Conv2d conv;
        private final int padding;

        public Downsample2D(int channels, int padding) {
            this.padding = padding;
            this.conv = child("conv", new Conv2d(channels, channels, 3, 2, padding));
        }

        /** [B, C, H, W] -> [B, C, ⌈H/2⌉, ⌈W/2⌉] */
        public NDArray forward(NDArray in) {
            return scoped(() -> compute(in));
        }

        private NDArray compute(NDArray x) {
            if (padding == 0) {
                // F.pad(x, (0, 1, 0, 1)): one zero column on the right, one zero row at the bottom
                // (DJL passes the pairs to torch as they are: last dimension first)
                x = x.pad(new ai.djl.ndarray.types.Shape(0, 1, 0, 1), 0);
            }
            return conv.forward(x);
        }
    }

    /** Upsample2D(use_conv=True): nearest-neighbour ×2 (or to an explicit size), then a 3×3 conv. */
    public static final class Upsample2D extends Module {
        private final Conv2d conv;

        public Upsample2D(int channels) {
            this.conv = child("conv", new Conv2d(channels, channels, 3, 1, 1));
        }

        /** [B, C, H, W] -> [B, C, outH, outW] (outH = 2H unless a skip connection needs one less) */
        public NDArray forward(NDArray x, long outH, long outW) {
            return scoped(() -> conv.forward(nearest(x, outH, outW)));
        }
    }

    /**
     * Nearest-neighbour upsampling to (outH, outW) with 2H-1 ≤ outH ≤ 2H: repeating every pixel
     * twice then cropping picks source index ⌊dst/2⌋, which equals torch's
     * ⌊dst · H / outH⌋ for these sizes.
     */
    static NDArray nearest(NDArray x, long outH, long outW) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (outH > 2 * h || outH < 2 * h - 1 || outW > 2 * w || outW < 2 * w - 1) {
            throw new IllegalArgumentException("nearest upsampling from " + h + "x" + w + " to " + outH + "x" + outW
                    + " is not a ×2 step");
        }
        NDArray up = x.repeat(2, 2).repeat(3, 2);
        if (outH != 2 * h || outW != 2 * w) {
            up = up.get(new NDIndex(":, :, :{}, :{}", outH, outW));
        }
        return up;
    }
}
