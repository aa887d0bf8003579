package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * diffusers' UNet2DConditionModel for Stable Diffusion 1.x and 2.x: predicts the noise (or v)
 * in a latent given the timestep and the text embedding. Child names mirror diffusers, so a
 * checkpoint's keys load one to one.
 */
public final class UNet2DConditionModel extends RootModule {
    private final UNet2DConditionConfig config;
    private final int timeInputDim;
    private final Linear timeLinear1;
    private final Linear timeLinear2;
    private final Conv2d convIn;
    private final ModuleList<DownBlock> downBlocks;
    private final MidBlock midBlock;
    private final ModuleList<UpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public UNet2DConditionModel(UNet2DConditionConfig c) {
        this.config = c;
        int[] boc = c.blockOutChannels();
        int n = boc.length;
        int tembDim = boc[0] * 4;
        this.timeInputDim = boc[0];
        TimeEmbedding te = child("time_embedding", new TimeEmbedding(boc[0], tembDim));
        this.timeLinear1 = te.linear1;
        this.timeLinear2 = te.linear2;
        this.convIn = child("conv_in", new Conv2d(c.inChannels(), boc[0], 3, 1, 1));

        this.downBlocks = child("down_blocks", new ModuleList<>());
        int out = boc[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = boc[i];
            boolean cross = c.downBlockTypes().get(i).equals("CrossAttnDownBlock2D");
            downBlocks.add(new DownBlock(c, in, out, tembDim, cross, c.numHeads()[i],
                    c.transformerLayersPerBlock()[i], i < n - 1));
        }

        this.midBlock = child("mid_block", new MidBlock(c, boc[n - 1], tembDim, c.numHeads()[n - 1],
                c.transformerLayersPerBlock()[n - 1]));

        this.upBlocks = child("up_blocks", new ModuleList<>());
        int outCh = boc[n - 1];
        for (int i = 0; i < n; i++) {
            int prevOut = outCh;
            outCh = boc[n - 1 - i];
            int inCh = boc[Math.max(n - 2 - i, 0)];
            boolean cross = c.upBlockTypes().get(i).equals("CrossAttnUpBlock2D");
            upBlocks.add(new UpBlock(c, inCh, outCh, prevOut, tembDim, cross, c.numHeads()[n - 1 - i],
                    c.transformerLayersPerBlock()[n - 1 - i], i < n - 1));
        }
        this.convNormOut = child("conv_norm_out", new GroupNorm(c.normNumGroups(), boc[0], c.normEps()));
        this.convOut = child("conv_out", new Conv2d(boc[0], c.outChannels(), 3, 1, 1));
    }

    /** Loads a diffusers {@code unet/} folder (config.json + weights, optionally a variant such as fp16). */
    public static UNet2DConditionModel load(Path dir, NDManager parent, DataType dtype, String variant) throws IOException {
        UNet2DConditionModel model = new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.read(dir.resolve("config.json"))));
        model.loadWeights(WeightLoader.componentFiles(dir, "diffusion_pytorch_model", variant), parent, dtype, k -> k, Set.of());
        return model;
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /**
     * @param sample          [B, 4, h, w] latents
     * @param timestep        [] or [B] timesteps (integer or fractional, as the scheduler gives them)
     * @param encoderStates   [B, 77, cross_attention_dim] text embedding
     * @return [B, 4, h, w] the model output (ε or v)
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderStates) {
        long b = sample.getShape().get(0);
        DataType type = sample.getDataType();

        // 1. time: sinusoidal embedding of t (float32), then MLP → [B, 4·C0]
        NDArray t = timestep.toType(DataType.FLOAT32, true); // a copy, kept in the sample's (step's) manager
        t.attach(sample.getManager());
        if (t.getShape().dimension() == 0) {
            t = t.reshape(1);
        }
        if (t.getShape().get(0) != b) {
            t = t.broadcast(new Shape(b));
        }
        NDArray tEmb = timestepEmbedding(t, timeInputDim, config.flipSinToCos(), config.freqShift()).toType(type, false);
        NDArray emb = timeLinear2.forward(Ops.silu(timeLinear1.forward(tEmb)));

        // 2. pre-process: [B, 4, h, w] -> [B, C0, h, w]
        NDArray h = convIn.forward(sample);

        // 3. down: keep every intermediate state for the skip connections
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        for (DownBlock block : downBlocks.items()) {
            h = block.forward(h, emb, encoderStates, skips);
        }

        // 4. mid
        h = midBlock.forward(h, emb, encoderStates);

        // 5. up: each block consumes (layers_per_block + 1) skips; upsample to the next skip's size
        for (UpBlock block : upBlocks.items()) {
            h = block.forward(h, emb, encoderStates, skips);
        }

        // 6. post-process: [B, C0, h, w] -> [B, 4, h, w]
        return convOut.forward(convNormOut.forwardSilu(h));
    }

    /**
     * diffusers' get_timestep_embedding: exponent_i = −ln(10000)·i / (half − shift),
     * emb = t·exp(exponent), [sin, cos] (flipped to [cos, sin] when flip_sin_to_cos).
     * Computed with the same float32 ops as torch so that fractional timesteps match.
     */
    static NDArray timestepEmbedding(NDArray t, int dim, boolean flip, int shift) {
        NDManager m = t.getManager();
        int half = dim / 2;
        NDArray exponent = m.arange(0f, (float) half, 1f, DataType.FLOAT32).mul(-Math.log(10000.0)).div(half - shift);
        NDArray args = t.reshape(-1, 1).mul(exponent.exp().reshape(1, half)); // [B, half]
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flip ? NDArrays.concat(new ai.djl.ndarray.NDList(cos, sin), 1)
                : NDArrays.concat(new ai.djl.ndarray.NDList(sin, cos), 1);
        if (dim % 2 == 1) {
            emb = emb.pad(new Shape(0, 1), 0);
        }
        return emb;
    }


    private static final class TimeEmbedding extends Module {
        final Linear linear1;
        final Linear linear2;

        TimeEmbedding(int in, int dim) {
            this.linear1 = child("linear_1", new Linear(in, dim));
            this.linear2 = child("linear_2", new Linear(dim, dim));
        }
    }

    /** CrossAttnDownBlock2D or DownBlock2D. */
    static final class DownBlock extends Module {
        private final ModuleList<ResnetBlock2D> resnets;
        private final ModuleList<Transformer2DModel> attentions;
        private final Sampling.Downsample2D downsampler;

        DownBlock(UNet2DConditionConfig c, int in, int out, int temb, boolean cross, int heads, int tLayers,
                  boolean downsample) {
            this.resnets = child("resnets", new ModuleList<>());
            this.attentions = cross ? child("attentions", new ModuleList<>()) : null;
            for (int j = 0; j < c.layersPerBlock(); j++) {
                resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, temb, c.normNumGroups(), c.normEps(), 1.0));
                if (cross) {
                    attentions.add(new Transformer2DModel(heads, out / heads, out, tLayers, c.crossAttentionDim(),
                            c.normNumGroups(), c.useLinearProjection(), c.upcastAttention()));
                }
            }
            if (downsample) {
                ModuleList<Sampling.Downsample2D> ds = child("downsamplers", new ModuleList<>());
                this.downsampler = ds.add(new Sampling.Downsample2D(out, c.downsamplePadding()));
            } else {
                this.downsampler = null;
            }
        }

        NDArray forward(NDArray h, NDArray temb, NDArray context, Deque<NDArray> skips) {
            for (int j = 0; j < resnets.size(); j++) {
                h = resnets.get(j).forward(h, temb);
                if (attentions != null) {
                    h = attentions.get(j).forward(h, context);
                }
                skips.push(h);
            }
            if (downsampler != null) {
                h = downsampler.forward(h);
                skips.push(h);
            }
            return h;
        }
    }

    /** UNetMidBlock2DCrossAttn: resnet, then (attention, resnet) pairs. */
    static final class MidBlock extends Module {
        private final ModuleList<Transformer2DModel> attentions;
        private final ModuleList<ResnetBlock2D> resnets;

        MidBlock(UNet2DConditionConfig c, int ch, int temb, int heads, int tLayers) {
            this.attentions = child("attentions", new ModuleList<>());
            this.resnets = child("resnets", new ModuleList<>());
            resnets.add(new ResnetBlock2D(ch, ch, temb, c.normNumGroups(), c.normEps(), c.midBlockScaleFactor()));
            attentions.add(new Transformer2DModel(heads, ch / heads, ch, tLayers, c.crossAttentionDim(),
                    c.normNumGroups(), c.useLinearProjection(), c.upcastAttention()));
            resnets.add(new ResnetBlock2D(ch, ch, temb, c.normNumGroups(), c.normEps(), c.midBlockScaleFactor()));
        }

        NDArray forward(NDArray h, NDArray temb, NDArray context) {
            h = resnets.get(0).forward(h, temb);
            for (int i = 0; i < attentions.size(); i++) {
                h = attentions.get(i).forward(h, context);
                h = resnets.get(i + 1).forward(h, temb);
            }
            return h;
        }
    }

    /** CrossAttnUpBlock2D or UpBlock2D: concatenates a skip before every resnet. */
    static final class UpBlock extends Module {
        private final ModuleList<ResnetBlock2D> resnets;
        private final ModuleList<Transformer2DModel> attentions;
        private final Sampling.Upsample2D upsampler;

        UpBlock(UNet2DConditionConfig c, int in, int out, int prevOut, int temb, boolean cross, int heads,
                int tLayers, boolean upsample) {
            int layers = c.layersPerBlock() + 1;
            this.resnets = child("resnets", new ModuleList<>());
            this.attentions = cross ? child("attentions", new ModuleList<>()) : null;
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? in : out;
                int resIn = j == 0 ? prevOut : out;
                resnets.add(new ResnetBlock2D(resIn + skip, out, temb, c.normNumGroups(), c.normEps(), 1.0));
                if (cross) {
                    attentions.add(new Transformer2DModel(heads, out / heads, out, tLayers, c.crossAttentionDim(),
                            c.normNumGroups(), c.useLinearProjection(), c.upcastAttention()));
                }
            }
            if (upsample) {
                ModuleList<Sampling.Upsample2D> us = child("upsamplers", new ModuleList<>());
                this.upsampler = us.add(new Sampling.Upsample2D(out));
            } else {
                this.upsampler = null;
            }
        }

        /**
         * Consumes its skips and its input: each is closed as soon as it has been used, so the up
         * path holds only what it still needs (the caller must not reuse {@code h}).
         */
        NDArray forward(NDArray h, NDArray temb, NDArray context, Deque<NDArray> skips) {
            for (int j = 0; j < resnets.size(); j++) {
                final int layer = j;
                final NDArray in = h;
                NDArray skip = skips.pop();
                h = scoped(() -> {
                    NDArray x = NDArrays.concat(new ai.djl.ndarray.NDList(in, skip), 1); // [B, C + C_skip, h, w]
                    x = resnets.get(layer).forward(x, temb);
                    return attentions != null ? attentions.get(layer).forward(x, context) : x;
                });
                in.close();
                skip.close();
            }
            if (upsampler != null) {
                NDArray next = skips.peek(); // the next block's first skip fixes the output size
                NDArray in = h;
                h = upsampler.forward(in, next.getShape().get(2), next.getShape().get(3));
                in.close();
            }
            return h;
        }
    }
}
