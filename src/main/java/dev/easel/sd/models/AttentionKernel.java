package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * softmax(q kᵀ · scale) v over [B, heads, N, d] tensors. The op chain below is the reference;
 * a fused kernel (libtorch's scaled_dot_product_attention) can replace it where available.
 */
public interface AttentionKernel {

    /**
     * @param q [B, h, N, d]
     * @param k [B, h, M, d]
     * @param v [B, h, M, d]
     * @param upcast compute scores and softmax in float32 even for float16 inputs (SD 2.x
     *               overflows otherwise: diffusers' {@code upcast_attention})
     * @return [B, h, N, d]
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, float scale, boolean upcast);

    /** matmul → softmax → matmul, as diffusers' AttnProcessor (scores = scale · q kᵀ). */
    AttentionKernel OP_CHAIN = (q, k, v, scale, upcast) -> {
        DataType type = q.getDataType();
        boolean up = type == DataType.FLOAT16; // softmax in fp32 is always safe and cheap relative to matmuls
        NDArray qq = up ? q.toType(DataType.FLOAT32, false) : q;
        NDArray kk = up ? k.toType(DataType.FLOAT32, false) : k;
        NDArray scores = qq.matMul(kk.swapAxes(2, 3)).mul(scale); // [B, h, N, M]
        NDArray probs = scores.softmax(-1);
        if (up) {
            probs = probs.toType(type, false);
        }
        return probs.matMul(v); // [B, h, N, d]
    };

}
