package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** transformers' CLIPTextEmbeddings: token embedding + learned absolute position embedding. */
final class CLIPTextEmbeddings extends dev.easel.sd.models.Module {
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;

    CLIPTextEmbeddings(CLIPTextConfig config) {
        this.tokenEmbedding = child("token_embedding", new Embedding(config.vocabSize(), config.hiddenSize()));
        this.positionEmbedding = child("position_embedding",
                new Embedding(config.maxPositionEmbeddings(), config.hiddenSize()));
    }

    /** ids [B, S] int64 -> [B, S, C] = token_embedding(ids) + position_embedding(0..S-1). */
    NDArray forward(NDArray ids) {
        long seq = ids.getShape().get(1);
        NDArray positions = ids.getManager().arange(0, seq, 1, DataType.INT64, ids.getDevice()); // [S]
        NDArray tokens = tokenEmbedding.forward(ids);            // [B, S, C]
        return tokens.add(positionEmbedding.forward(positions)); // + [S, C], broadcast over B
    }
}
