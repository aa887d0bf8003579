package dev.easel.sd.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.models.Module;
import dev.easel.sd.weights.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * transformers' {@code CLIPTextModel}: the text encoder of Stable Diffusion 1.x (CLIP ViT-L/14)
 * and 2.x (OpenCLIP ViT-H, 23 layers). Parameter names equal the checkpoint keys
 * ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}), so a diffusers
 * {@code text_encoder/} folder loads with no conversion.
 *
 * <pre>
 * ids [B, S] ─ token + position embedding ─▶ [B, S, C]
 *            ─ N × (x + attn(ln1(x)) causal; x + mlp(ln2(x))) ─▶ hidden states h₁ … h_N
 * last_hidden_state = final_layer_norm(h_N)                       [B, S, C]
 * pooler_output     = last_hidden_state[b, first EOS of row b]    [B, C]
 * penultimate       = h_{N-1} and final_layer_norm(h_{N-1})       ("clip skip")
 * </pre>
 *
 * <p>Built from a config, the model only declares its parameters (cheap even at full size);
 * {@link #load} allocates them in a manager the model owns and closes. Each forward call works
 * in a temporary sub-manager and hands its results to the manager of the ids passed in; nothing
 * is left in the weights' manager.
 */
public final class CLIPTextModel extends Module implements AutoCloseable {
    /** A buffer older checkpoints contain (int64 [1, 77] = 0..76); accepted and ignored. */
    public static final String POSITION_IDS_KEY = "text_model.embeddings.position_ids";

    private final CLIPTextConfig config;
    private final CLIPTextTransformer textModel;
    private NDManager manager;
    private DataType dataType;

    /** The outputs transformers' CLIPTextModel returns (and the penultimate layer for clip skip). */
    public record Output(
            /* [B, S, C] final_layer_norm of the last layer */ NDArray lastHiddenState,
            /* [B, C] last_hidden_state at each row's first EOS */ NDArray pooledOutput,
            /* [B, S, C] output of the second-to-last layer (hidden_states[-2]) */ NDArray penultimateHiddenState,
            /* [B, S, C] final_layer_norm(hidden_states[-2]) */ NDArray penultimateFinalLayerNorm)
            implements AutoCloseable {

        @Override
        public void close() {
            lastHiddenState.close();
            pooledOutput.close();
            penultimateHiddenState.close();
            penultimateFinalLayerNorm.close();
        }
    }

    /** Declares the model's parameters with the shapes {@code config} implies; no weights yet. */
    public CLIPTextModel(CLIPTextConfig config) {
        this.config = config;
        this.textModel = child("text_model", new CLIPTextTransformer(config));
    }

    /**
     * Loads a transformers text encoder folder: {@code config.json} and
     * {@code model.safetensors} (or {@code model.<variant>.safetensors}, e.g. variant "fp16").
     * The weights live in a sub-manager of {@code parent}, on its device, converted to {@code dtype}
     * (FLOAT32, or FLOAT16 for GPUs); the returned model owns it.
     */
    public static CLIPTextModel load(Path componentDir, NDManager parent, DataType dtype, String variant)
            throws IOException {
        CLIPTextConfig config = CLIPTextConfig.read(componentDir.resolve("config.json"));
        List<Path> files = WeightLoader.componentFiles(componentDir, "model", variant);
        return load(config, files, parent, dtype);
    }

    /** {@link #load(Path, NDManager, DataType, String)} into a new base manager on {@code device}. */
    public static CLIPTextModel load(Path componentDir, Device device, DataType dtype, String variant)
            throws IOException {
        CLIPTextConfig config = CLIPTextConfig.read(componentDir.resolve("config.json"));
        List<Path> files = WeightLoader.componentFiles(componentDir, "model", variant);
        return loadInto(config, files, NDManager.newBaseManager(device), dtype);
    }

    /** Builds the model from {@code config} and fills it from the given safetensors files. */
    public static CLIPTextModel load(CLIPTextConfig config, List<Path> files, NDManager parent, DataType dtype)
            throws IOException {
        return loadInto(config, files, parent.newSubManager(), dtype);
    }

    /** A model with seeded random weights (benchmarks at real sizes, the offline demo). */
    public static CLIPTextModel random(CLIPTextConfig config, NDManager parent, DataType dtype, long seed) {
        CLIPTextModel model = new CLIPTextModel(config);
        NDManager weights = parent.newSubManager();
        dev.easel.sd.models.RandomWeights.fill(model, weights, dtype, seed);
        model.manager = weights;
        model.dataType = dtype;
        return model;
    }

    /** Loads into {@code weights}, which the model then owns (closed here if loading fails). */
    private static CLIPTextModel loadInto(CLIPTextConfig config, List<Path> files, NDManager weights, DataType dtype)
            throws IOException {
        try {
            if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
                throw new IllegalArgumentException("text encoder dtype " + dtype
                        + " is not supported (use FLOAT32, or FLOAT16 on a GPU)");
            }
            CLIPTextModel model = new CLIPTextModel(config);
            WeightLoader.load(model, files, weights, dtype, UnaryOperator.identity(), Set.of(POSITION_IDS_KEY));
            model.manager = weights;
            model.dataType = dtype;
            return model;
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public CLIPTextConfig config() {
        return config;
    }

    /** The weights' type, or null before loading. */
    public DataType dataType() {
        return dataType;
    }

    /** The weights' device. */
    public Device device() {
        return requireLoaded().getDevice();
    }

    /**
     * Runs the whole encoder.
     *
     * @param inputIds [B, S] int64 (or int32) token ids, S ≤ max_position_embeddings
     * @return the four outputs, owned by {@code inputIds}' manager (on the model's device)
     */
    public Output forward(NDArray inputIds) {
        int layers = config.numHiddenLayers();
        long[] ids = idsOf(inputIds);
        NDManager target = inputIds.getManager();
        try (NDManager scope = target.newSubManager(device())) {
            NDArray mask = causalMask(scope, inputIds.getShape().get(1));
            NDArray x = textModel.embeddings.forward(scope.create(ids, inputIds.getShape()));
            NDArray penultimate = x;
            for (int i = 0; i < layers; i++) {
                x = runLayer(i, x, mask);
                if (i == layers - 2) {
                    penultimate = x;
                }
            }
            NDArray last = textModel.finalLayerNorm.forward(x);
            NDArray pooled = pool(scope, last, ids);
            NDArray penultimateNormed = textModel.finalLayerNorm.forward(penultimate);
            for (NDArray a : List.of(last, pooled, penultimate, penultimateNormed)) {
                a.attach(target);
            }
            return new Output(last, pooled, penultimate, penultimateNormed);
        }
    }

    /**
     * The prompt embeddings a Stable Diffusion pipeline conditions on, with diffusers'
     * {@code clip_skip}: 0 gives {@code last_hidden_state}; k ≥ 1 gives
     * {@code final_layer_norm(hidden_states[-(k + 1)])}, the output k layers before the last
     * (k = 1 is what other tools call "clip skip 2"). The skipped layers are not computed.
     *
     * @param inputIds [B, S] int64 token ids
     * @return [B, S, C], owned by {@code inputIds}' manager
     */
    public NDArray promptEmbeds(NDArray inputIds, int clipSkip) {
        int layers = config.numHiddenLayers();
        if (clipSkip < 0 || clipSkip >= layers) {
            throw new IllegalArgumentException("clip skip " + clipSkip + " is out of range: 0 (none) to "
                    + (layers - 1) + " for a text encoder with " + layers + " layers");
        }
        long[] ids = idsOf(inputIds);
        NDManager target = inputIds.getManager();
        try (NDManager scope = target.newSubManager(device())) {
            NDArray mask = causalMask(scope, inputIds.getShape().get(1));
            NDArray x = textModel.embeddings.forward(scope.create(ids, inputIds.getShape()));
            for (int i = 0; i < layers - clipSkip; i++) {
                x = runLayer(i, x, mask);
            }
            NDArray out = textModel.finalLayerNorm.forward(x);
            out.attach(target);
            return out;
        }
    }

    /** One encoder layer; its intermediate arrays are freed as soon as it returns. */
    private NDArray runLayer(int i, NDArray x, NDArray mask) {
        try (NDScope layerScope = new NDScope()) {
            layerScope.suppressNotUsedWarning();
            NDArray y = textModel.encoder.layers.get(i).forward(x, mask);
            NDScope.unregister(y);
            return y;
        }
    }

    /** [S, S] float32: 0 where key position ≤ query position, -∞ after it (no look-ahead). */
    private static NDArray causalMask(NDManager scope, long seq) {
        int s = Math.toIntExact(seq);
        float[] m = new float[s * s];
        for (int q = 0; q < s; q++) {
            Arrays.fill(m, q * s + q + 1, (q + 1) * s, Float.NEGATIVE_INFINITY);
        }
        return scope.create(m, new Shape(s, s));
    }

    /**
     * pooled[b] = last[b, p_b] where p_b is the first position holding eos_token_id
     * (the first maximal id for legacy configs with eos_token_id 2), as transformers picks it.
     */
    private NDArray pool(NDManager scope, NDArray last, long[] ids) {
        long b = last.getShape().get(0);
        long s = last.getShape().get(1);
        long c = last.getShape().get(2);
        long[] rows = new long[(int) b];
        for (int r = 0; r < b; r++) {
            int best = 0;
            for (int p = 0; p < s; p++) {
                long id = ids[(int) (r * s + p)];
                if (config.legacyPooling()) {
                    if (id > ids[(int) (r * s + best)]) {
                        best = p;
                    }
                } else if (id == config.eosTokenId()) {
                    best = p;
                    break;
                }
            }
            rows[r] = r * s + best;
        }
        NDArray flat = last.reshape(b * s, c);                          // [B·S, C]
        return flat.get(new NDIndex("{}", scope.create(rows)));          // [B, C]
    }

    /** Checks the ids' shape, type and range and returns them as a flat array. */
    private long[] idsOf(NDArray inputIds) {
        requireLoaded();
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(0) < 1 || shape.get(1) < 1) {
            throw new IllegalArgumentException("input ids must have shape [batch, sequence], got " + shape);
        }
        if (shape.get(1) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("input ids have " + shape.get(1) + " positions but the text encoder takes at most "
                    + config.maxPositionEmbeddings() + " (tokenize with truncation)");
        }
        long[] ids;
        if (inputIds.getDataType() == DataType.INT64) {
            ids = inputIds.toLongArray();
        } else if (inputIds.getDataType() == DataType.INT32) {
            ids = Arrays.stream(inputIds.toIntArray()).asLongStream().toArray();
        } else {
            throw new IllegalArgumentException("input ids must be INT64 (or INT32), got " + inputIds.getDataType());
        }
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
        }
        return ids;
    }

    /** The manager that owns the weights (for tests of memory ownership). */
    NDManager weightsManager() {
        return requireLoaded();
    }

    private NDManager requireLoaded() {
        if (manager == null) {
            throw new IllegalStateException("this CLIPTextModel has no weights: create it with CLIPTextModel.load(...)");
        }
        return manager;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
