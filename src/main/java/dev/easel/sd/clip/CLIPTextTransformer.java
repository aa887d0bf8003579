package dev.easel.sd.clip;

import dev.easel.sd.models.LayerNorm;
import dev.easel.sd.models.Module;

/** transformers' CLIPTextTransformer: embeddings, encoder, final_layer_norm; run by {@link CLIPTextModel}. */
final class CLIPTextTransformer extends Module {
    final CLIPTextEmbeddings embeddings;
    final CLIPEncoder encoder;
    final LayerNorm finalLayerNorm;

    CLIPTextTransformer(CLIPTextConfig config) {
        this.embeddings = child("embeddings", new CLIPTextEmbeddings(config));
        this.encoder = child("encoder", new CLIPEncoder(config));
        this.finalLayerNorm = child("final_layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }
}
