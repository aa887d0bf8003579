package dev.easel.sd.clip;

import dev.easel.sd.weights.JsonConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code CLIPTextConfig}, read from a text encoder's {@code config.json}.
 * Missing keys take transformers' defaults.
 *
 * @param vocabSize             rows of the token embedding (49408)
 * @param hiddenSize            width C of the residual stream (768 for SD 1.x, 1024 for SD 2.x)
 * @param intermediateSize      hidden width of each MLP (4·C)
 * @param numHiddenLayers       encoder layers (12 for SD 1.x, 23 for SD 2.x)
 * @param numAttentionHeads     heads per attention; C must be a multiple of it
 * @param maxPositionEmbeddings longest input (77)
 * @param hiddenAct             MLP activation: {@code quick_gelu} (x·σ(1.702x)) or {@code gelu} (erf)
 * @param layerNormEps          ε of every layer norm
 * @param bosTokenId            id of {@code <|startoftext|>}
 * @param eosTokenId            id of {@code <|endoftext|>}; 2 in older configs, which makes the
 *                              pooled output pick the position of the largest id instead
 * @param padTokenId            id of the padding token as the config states it
 */
public record CLIPTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    /** The activations this implementation computes. */
    public static final List<String> ACTIVATIONS = List.of("quick_gelu", "gelu");

    public CLIPTextConfig {
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
                    + numAttentionHeads);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (supported: "
                    + String.join(", ", ACTIVATIONS) + ")");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    /** Channels per attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /**
     * transformers' pooling rule: configs written before the tokenizer's ids were fixed
     * (eos_token_id 2) pool at the largest id, which is {@code <|endoftext|>} in CLIP's vocabulary.
     */
    public boolean legacyPooling() {
        return eosTokenId == 2;
    }

    /** Reads {@code config.json}; a full CLIP config is accepted too (its {@code text_config} is used). */
    public static CLIPTextConfig read(Path configJson) throws IOException {
        JsonConfig c = JsonConfig.read(configJson);
        try {
            return from(c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static CLIPTextConfig from(JsonConfig c) {
        if (c.raw("text_config") instanceof Map<?, ?> text) {
            c = new JsonConfig(c.source() + " text_config", (Map<String, Object>) text);
        }
        return new CLIPTextConfig(
                c.getInt("vocab_size", 49408),
                c.getInt("hidden_size", 512),
                c.getInt("intermediate_size", 2048),
                c.getInt("num_hidden_layers", 12),
                c.getInt("num_attention_heads", 8),
                c.getInt("max_position_embeddings", 77),
                c.getString("hidden_act", "quick_gelu"),
                c.getDouble("layer_norm_eps", 1e-5),
                c.getInt("bos_token_id", 49406),
                c.getInt("eos_token_id", 49407),
                c.getInt("pad_token_id", 1));
    }
}
