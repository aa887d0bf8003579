package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import dev.easel.sd.models.LayerNorm;
import dev.easel.sd.models.Module;

/** transformers' CLIPEncoderLayer: pre-norm transformer block. */
final class CLIPEncoderLayer extends Module {
    private final CLIPAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final CLIPMLP mlp;
    private final LayerNorm layerNorm2;

    CLIPEncoderLayer(CLIPTextConfig config) {
        this.selfAttn = child("self_attn", new CLIPAttention(config));
        this.layerNorm1 = child("layer_norm1", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
        this.mlp = child("mlp", new CLIPMLP(config));
        this.layerNorm2 = child("layer_norm2", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    /** x + attn(ln1(x)), then + mlp(ln2(·)); [B, S, C] -> [B, S, C]. */
    NDArray forward(NDArray x, NDArray mask) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), mask));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
