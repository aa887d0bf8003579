package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' Transformer2DModel for spatial inputs: GroupNorm, proj_in (1×1 conv in SD 1.x,
 * linear with {@code use_linear_projection} in SD 2.x), transformer blocks over the H·W tokens,
 * proj_out, residual.
 */
public final class Transformer2DModel extends Module {
    private final boolean linearProjection;
    private final int inner;
    private final GroupNorm norm;
    private final Module projIn;
    private final ModuleList<BasicTransformerBlock> blocks;
    private final Module projOut;

    public Transformer2DModel(int heads, int dimHead, int in, int layers, int crossDim, int groups,
                              boolean linearProjection, boolean upcast) {
        this.linearProjection = linearProjection;
        this.inner = heads * dimHead;
        this.norm = child("norm", new GroupNorm(groups, in, 1e-6));
        this.projIn = child("proj_in", linearProjection ? new Linear(in, inner) : new Conv2d(in, inner, 1, 1, 0));
        this.blocks = child("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            blocks.add(new BasicTransformerBlock(inner, heads, dimHead, crossDim, upcast));
        }
        this.projOut = child("proj_out", linearProjection ? new Linear(inner, in) : new Conv2d(inner, in, 1, 1, 0));
    }

    /** [B, C, H, W] (+ context [B, 77, crossDim]) -> [B, C, H, W] */
    public NDArray forward(NDArray x, NDArray context) {
        return scoped(() -> compute(x, context));
    }

    private NDArray compute(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray t = norm.forward(x);
        if (linearProjection) {
            t = t.transpose(0, 2, 3, 1).reshape(b, h * w, s.get(1)); // [B, HW, C]
            t = ((Linear) projIn).forward(t);                       // [B, HW, inner]
        } else {
            t = ((Conv2d) projIn).forward(t);                       // [B, inner, H, W]
            t = t.transpose(0, 2, 3, 1).reshape(b, h * w, inner);  // [B, HW, inner]
        }
        for (BasicTransformerBlock block : blocks.items()) {
            t = block.forward(t, context);
        }
        if (linearProjection) {
            t = ((Linear) projOut).forward(t);                      // [B, HW, C]
            t = t.reshape(b, h, w, s.get(1)).transpose(0, 3, 1, 2);
        } else {
            t = t.reshape(b, h, w, inner).transpose(0, 3, 1, 2);    // [B, inner, H, W]
            t = ((Conv2d) projOut).forward(t);
        }
        return t.add(x);
    }

}
