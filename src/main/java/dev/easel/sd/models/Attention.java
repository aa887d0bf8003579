package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Attention}: multi-head attention with {@code to_q, to_k, to_v, to_out.0}
 * (and, in the VAE, a {@code group_norm} and a residual connection).
 */
public final class Attention extends Module {
    private final int heads;
    private final int dimHead;
    private final boolean upcast;
    private final boolean residual;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final GroupNorm groupNorm;
    private AttentionKernel kernel = Kernels.ATTENTION;

    /**
     * @param crossDim    channels of the context (encoder hidden states); queryDim for self-attention
     * @param qkvBias     whether to_q/to_k/to_v have biases (VAE yes, UNet no)
     * @param normGroups  groups of the leading GroupNorm, 0 for none
     */
    public Attention(int queryDim, int crossDim, int heads, int dimHead, boolean qkvBias, boolean upcast,
                     int normGroups, double normEps, boolean residual) {
        this.heads = heads;
        this.dimHead = dimHead;
        this.upcast = upcast;
        this.residual = residual;
        int inner = heads * dimHead;
        this.groupNorm = normGroups > 0 ? child("group_norm", new GroupNorm(normGroups, queryDim, normEps)) : null;
        this.toQ = child("to_q", new Linear(queryDim, inner, qkvBias));
        this.toK = child("to_k", new Linear(crossDim, inner, qkvBias));
        this.toV = child("to_v", new Linear(crossDim, inner, qkvBias));
        ModuleList<Linear> out = child("to_out", new ModuleList<>());
        this.toOut = out.add(new Linear(inner, queryDim, true)); // to_out.1 is Dropout: no weights
    }

    public void setKernel(AttentionKernel kernel) {
        this.kernel = kernel;
    }

    /**
     * @param x       [B, N, C]
     * @param context [B, M, Cc], or null for self-attention
     * @return [B, N, C]
     */
    public NDArray forward(NDArray x, NDArray context) {
        return scoped(() -> compute(x, context));
    }

    private NDArray compute(NDArray x, NDArray context) {
        NDArray ctx = context == null ? x : context;
        long b = x.getShape().get(0);
        NDArray q = splitHeads(toQ.forward(x), b);   // [B, h, N, d]
        NDArray kProj = toK.forward(ctx);
        NDArray vProj = toV.forward(ctx);
        // The context may live in a longer-lived manager (the job's text embedding): keep this
        // step's projections in the step's manager so they are freed with it.
        kProj.attach(x.getManager());
        vProj.attach(x.getManager());
        NDArray k = splitHeads(kProj, b); // [B, h, M, d]
        NDArray v = splitHeads(vProj, b);
        float scale = (float) (1.0 / Math.sqrt(dimHead));
        NDArray o = kernel.attend(q, k, v, scale, upcast); // [B, h, N, d]
        o = o.transpose(0, 2, 1, 3).reshape(b, -1, (long) heads * dimHead); // [B, N, h·d]
        return toOut.forward(o);
    }

    /** The VAE's spatial self-attention: [B, C, H, W] -> [B, C, H, W] with group norm and residual. */
    public NDArray forwardSpatial(NDArray x) {
        return scoped(() -> computeSpatial(x));
    }

    private NDArray computeSpatial(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        NDArray h = groupNorm != null ? groupNorm.forward(x) : x;
        h = h.reshape(b, c, -1).transpose(0, 2, 1); // [B, HW, C]
        h = compute(h, null);
        h = h.transpose(0, 2, 1).reshape(s);         // [B, C, H, W]
        return residual ? h.add(x) : h;
    }

    private NDArray splitHeads(NDArray t, long b) {
        return t.reshape(b, -1, heads, dimHead).transpose(0, 2, 1, 3);
    }
}
