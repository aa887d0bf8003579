package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * diffusers' BasicTransformerBlock as SD uses it: self-attention, cross-attention on the text
 * embedding, then a GEGLU feed-forward, each pre-normed with LayerNorm and residual.
 */
public final class BasicTransformerBlock extends Module {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Linear geglu;
    private final Linear ffOut;

    public BasicTransformerBlock(int dim, int heads, int dimHead, int crossDim, boolean upcast) {
        this.norm1 = child("norm1", new LayerNorm(dim, 1e-5));
        this.attn1 = child("attn1", new Attention(dim, dim, heads, dimHead, false, upcast, 0, 0, false));
        this.norm2 = child("norm2", new LayerNorm(dim, 1e-5));
        this.attn2 = child("attn2", new Attention(dim, crossDim, heads, dimHead, false, upcast, 0, 0, false));
        this.norm3 = child("norm3", new LayerNorm(dim, 1e-5));
        // ff.net = [GEGLU(dim, 4·dim) with .proj, Dropout, Linear(4·dim, dim)]
        FeedForward ff = child("ff", new FeedForward(dim));
        this.geglu = ff.proj;
        this.ffOut = ff.out;
    }

    /** Holder giving the feed-forward its diffusers names: ff.net.0.proj, ff.net.2. */
    private static final class FeedForward extends Module {
        final Linear proj;
        final Linear out;

        FeedForward(int dim) {
            ModuleList<Module> net = child("net", new ModuleList<>());
            Geglu g = net.add(new Geglu(dim, 4 * dim));
            net.add(new Dropout());
            this.out = net.add(new Linear(4 * dim, dim));
            this.proj = g.proj;
        }
    }

    private static final class Geglu extends Module {
        final Linear proj;

        Geglu(int dim, int inner) {
            this.proj = child("proj", new Linear(dim, 2 * inner));
        }
    }

    private static final class Dropout extends Module {
    }

    /**
     * @param x       [B, N, dim]
     * @param context [B, 77, crossDim]
     */
    public NDArray forward(NDArray x, NDArray context) {
        return scoped(() -> compute(x, context));
    }

    private NDArray compute(NDArray x, NDArray context) {
        NDArray h = attn1.forward(norm1.forward(x), null).add(x);
        h = attn2.forward(norm2.forward(h), context).add(h);
        // GEGLU: hidden, gate = proj(x).chunk(2, -1); hidden · gelu(gate)
        NDList parts = geglu.forward(norm3.forward(h)).split(2, 2); // [B, N, 2·inner] -> 2 × [B, N, inner]
        NDArray ff = ffOut.forward(parts.get(0).mul(Ops.gelu(parts.get(1))));
        return ff.add(h);
    }

}
