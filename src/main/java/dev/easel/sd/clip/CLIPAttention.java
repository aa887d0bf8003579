package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.models.Linear;
import dev.easel.sd.models.Module;

/**
 * transformers' CLIPAttention: multi-head self-attention with q/k/v/out projections (all with
 * bias), causal in the text model: softmax(q kᵀ/√d + M) v with M = -∞ above the diagonal.
 * Scores and softmax are computed in float32 whatever the weights' type.
 */
final class CLIPAttention extends Module {
    private final int heads;
    private final int headDim;
    private final float scale;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear qProj;
    private final Linear outProj;

    CLIPAttention(CLIPTextConfig config) {
        int c = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        // declaration order as in transformers (k, v, q, out), so parameter listings line up
        this.kProj = child("k_proj", new Linear(c, c));
        this.vProj = child("v_proj", new Linear(c, c));
        this.qProj = child("q_proj", new Linear(c, c));
        this.outProj = child("out_proj", new Linear(c, c));
    }

    /**
     * @param x    [B, S, C]
     * @param mask [S, S] float32, 0 on and below the diagonal, -∞ above it
     * @return [B, S, C]
     */
    NDArray forward(NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        DataType type = x.getDataType();
        NDArray q = heads(qProj.forward(x).mul(scale), b, s); // [B, h, S, d], pre-scaled as transformers does
        NDArray k = heads(kProj.forward(x), b, s);
        NDArray v = heads(vProj.forward(x), b, s);
        if (type != DataType.FLOAT32) {
            q = q.toType(DataType.FLOAT32, false);
            k = k.toType(DataType.FLOAT32, false);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(mask); // [B, h, S, S]
        NDArray probs = scores.softmax(-1);
        if (type != DataType.FLOAT32) {
            probs = probs.toType(type, false);
        }
        NDArray o = probs.matMul(v);                                   // [B, h, S, d]
        o = o.transpose(0, 2, 1, 3).reshape(b, s, (long) heads * headDim); // [B, S, C]
        return outProj.forward(o);
    }

    private NDArray heads(NDArray t, long b, long s) {
        return t.reshape(b, s, heads, headDim).transpose(0, 2, 1, 3);
    }
}
