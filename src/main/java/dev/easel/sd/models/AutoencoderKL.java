package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * diffusers' AutoencoderKL: the VAE that maps images [B, 3, H, W] in [−1, 1] to latents
 * [B, 4, H/8, W/8] (encode: posterior mean and log-variance) and back (decode).
 */
public final class AutoencoderKL extends RootModule {
    /** The config fields SD's VAE uses. */
    public record Config(int inChannels, int outChannels, int latentChannels, int[] blockOutChannels,
                         int layersPerBlock, int normNumGroups, double scalingFactor, boolean useQuantConv,
                         boolean usePostQuantConv, boolean midBlockAttention) {

        public static Config from(JsonConfig c) {
            for (String key : List.of("down_block_types", "up_block_types")) {
                for (String t : c.getStrings(key, List.of())) {
                    if (!t.equals("DownEncoderBlock2D") && !t.equals("UpDecoderBlock2D")) {
                        throw new IllegalArgumentException(c.source() + ": block type " + t + " is not supported");
                    }
                }
            }
            if (c.has("shift_factor") || c.has("latents_mean")) {
                throw new IllegalArgumentException(c.source() + ": shift_factor/latents_mean VAEs (SDXL/SD3 style) are not supported");
            }
            return new Config(c.getInt("in_channels", 3), c.getInt("out_channels", 3), c.getInt("latent_channels", 4),
                    c.getInts("block_out_channels", 0, new int[] {128, 256, 512, 512}),
                    c.getInt("layers_per_block", 2), c.getInt("norm_num_groups", 32),
                    c.getDouble("scaling_factor", 0.18215), c.getBool("use_quant_conv", true),
                    c.getBool("use_post_quant_conv", true), c.getBool("mid_block_add_attention", true));
        }
    }

    /** Posterior of the encoder: mean and log-variance (clamped to [−30, 20]), each [B, 4, h, w]. */
    public record Posterior(NDArray mean, NDArray logvar) {
        /** A sample mean + σ·ε for the given standard-normal ε (σ = exp(logvar / 2)). */
        public NDArray sample(NDArray noise) {
            return mean.add(logvar.mul(0.5f).exp().mul(noise));
        }
    }

    private final Config config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    public AutoencoderKL(Config c) {
        this.config = c;
        this.encoder = child("encoder", new Encoder(c));
        this.decoder = child("decoder", new Decoder(c));
        int z = c.latentChannels();
        this.quantConv = c.useQuantConv() ? child("quant_conv", new Conv2d(2 * z, 2 * z, 1, 1, 0)) : null;
        this.postQuantConv = c.usePostQuantConv() ? child("post_quant_conv", new Conv2d(z, z, 1, 1, 0)) : null;
    }

    /** Loads a diffusers {@code vae/} folder; legacy attention names (query/key/value/proj_attn) are accepted. */
    public static AutoencoderKL load(Path dir, NDManager parent, DataType dtype, String variant) throws IOException {
        AutoencoderKL model = new AutoencoderKL(Config.from(JsonConfig.read(dir.resolve("config.json"))));
        model.loadWeights(WeightLoader.componentFiles(dir, "diffusion_pytorch_model", variant), parent, dtype, AutoencoderKL::renameLegacy, Set.of());
        return model;
    }

    /** Older VAE files name the mid-block attention query/key/value/proj_attn (diffusers renames them on load). */
    static String renameLegacy(String key) {
        if (!key.contains(".attentions.")) {
            return key;
        }
        return key.replace(".query.", ".to_q.").replace(".key.", ".to_k.").replace(".value.", ".to_v.")
                .replace(".proj_attn.", ".to_out.0.");
    }

    public Config config() {
        return config;
    }

    /** [B, 3, H, W] in [−1, 1] -> posterior over [B, 4, H/8, W/8] */
    public Posterior encode(NDArray image) {
        NDArray h = encoder.forward(image);
        NDArray moments = quantConv != null ? quantConv.forward(h) : h; // [B, 8, h, w]
        NDList parts = moments.split(2, 1);
        return new Posterior(parts.get(0), parts.get(1).clip(-30f, 20f));
    }

    /** [B, 4, h, w] latents (already divided by scaling_factor) -> [B, 3, 8h, 8w] in about [−1, 1] */
    public NDArray decode(NDArray latents) {
        NDArray z = postQuantConv != null ? postQuantConv.forward(latents) : latents;
        return decoder.forward(z);
    }


    /** UNetMidBlock2D with one self-attention: resnet, attention, resnet (no time embedding). */
    static final class MidBlock extends Module {
        private final ModuleList<Attention> attentions;
        private final ModuleList<ResnetBlock2D> resnets;

        MidBlock(int ch, int groups, boolean attention) {
            this.attentions = attention ? child("attentions", new ModuleList<>()) : null;
            this.resnets = child("resnets", new ModuleList<>());
            resnets.add(new ResnetBlock2D(ch, ch, 0, groups, 1e-6, 1.0));
            if (attention) {
                // one head of width C, with biases, group norm and residual (attention_head_dim = C)
                attentions.add(new Attention(ch, ch, 1, ch, true, true, groups, 1e-6, true));
            }
            resnets.add(new ResnetBlock2D(ch, ch, 0, groups, 1e-6, 1.0));
        }

        NDArray forward(NDArray h) {
            h = resnets.get(0).forward(h, null);
            if (attentions != null) {
                h = attentions.get(0).forwardSpatial(h);
            }
            return resnets.get(1).forward(h, null);
        }
    }

    static final class Encoder extends Module {
        private final Conv2d convIn;
        private final ModuleList<EncoderBlock> downBlocks;
        private final MidBlock midBlock;
        private final GroupNorm convNormOut;
        private final Conv2d convOut;

        Encoder(Config c) {
            int[] boc = c.blockOutChannels();
            this.convIn = child("conv_in", new Conv2d(c.inChannels(), boc[0], 3, 1, 1));
            this.downBlocks = child("down_blocks", new ModuleList<>());
            int out = boc[0];
            for (int i = 0; i < boc.length; i++) {
                int in = out;
                out = boc[i];
                downBlocks.add(new EncoderBlock(in, out, c.layersPerBlock(), c.normNumGroups(), i < boc.length - 1));
            }
            int last = boc[boc.length - 1];
            this.midBlock = child("mid_block", new MidBlock(last, c.normNumGroups(), c.midBlockAttention()));
            this.convNormOut = child("conv_norm_out", new GroupNorm(c.normNumGroups(), last, 1e-6));
            this.convOut = child("conv_out", new Conv2d(last, 2 * c.latentChannels(), 3, 1, 1));
        }

        /** [B, 3, H, W] -> [B, 2·latent, H/8, W/8] */
        NDArray forward(NDArray x) {
            NDArray h = convIn.forward(x);
            for (EncoderBlock b : downBlocks.items()) {
                h = b.forward(h);
            }
            h = midBlock.forward(h);
            return convOut.forward(convNormOut.forwardSilu(h));
        }
    }

    /** DownEncoderBlock2D: resnets, then a stride-2 conv with asymmetric padding. */
    static final class EncoderBlock extends Module {
        private final ModuleList<ResnetBlock2D> resnets;
        private final Sampling.Downsample2D downsampler;

        EncoderBlock(int in, int out, int layers, int groups, boolean downsample) {
            this.resnets = child("resnets", new ModuleList<>());
            for (int j = 0; j < layers; j++) {
                resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, 0, groups, 1e-6, 1.0));
            }
            if (downsample) {
                ModuleList<Sampling.Downsample2D> ds = child("downsamplers", new ModuleList<>());
                this.downsampler = ds.add(new Sampling.Downsample2D(out, 0));
            } else {
                this.downsampler = null;
            }
        }

        NDArray forward(NDArray h) {
            for (ResnetBlock2D r : resnets.items()) {
                h = r.forward(h, null);
            }
            return downsampler != null ? downsampler.forward(h) : h;
        }
    }

    static final class Decoder extends Module {
        private final Conv2d convIn;
        private final MidBlock midBlock;
        private final ModuleList<DecoderBlock> upBlocks;
        private final GroupNorm convNormOut;
        private final Conv2d convOut;

        Decoder(Config c) {
            int[] boc = c.blockOutChannels();
            int n = boc.length;
            this.convIn = child("conv_in", new Conv2d(c.latentChannels(), boc[n - 1], 3, 1, 1));
            this.midBlock = child("mid_block", new MidBlock(boc[n - 1], c.normNumGroups(), c.midBlockAttention()));
            this.upBlocks = child("up_blocks", new ModuleList<>());
            int out = boc[n - 1];
            for (int i = 0; i < n; i++) {
                int prev = out;
                out = boc[n - 1 - i];
                upBlocks.add(new DecoderBlock(prev, out, c.layersPerBlock() + 1, c.normNumGroups(), i < n - 1));
            }
            this.convNormOut = child("conv_norm_out", new GroupNorm(c.normNumGroups(), boc[0], 1e-6));
            this.convOut = child("conv_out", new Conv2d(boc[0], c.outChannels(), 3, 1, 1));
        }

        /** [B, 4, h, w] -> [B, 3, 8h, 8w] */
        NDArray forward(NDArray z) {
            NDArray h = midBlock.forward(convIn.forward(z));
            for (DecoderBlock b : upBlocks.items()) {
                h = b.forward(h);
            }
            return convOut.forward(convNormOut.forwardSilu(h));
        }
    }

    /** UpDecoderBlock2D: resnets, then nearest ×2 and a conv. */
    static final class DecoderBlock extends Module {
        private final ModuleList<ResnetBlock2D> resnets;
        private final Sampling.Upsample2D upsampler;

        DecoderBlock(int in, int out, int layers, int groups, boolean upsample) {
            this.resnets = child("resnets", new ModuleList<>());
            for (int j = 0; j < layers; j++) {
                resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, 0, groups, 1e-6, 1.0));
            }
            if (upsample) {
                ModuleList<Sampling.Upsample2D> us = child("upsamplers", new ModuleList<>());
                this.upsampler = us.add(new Sampling.Upsample2D(out));
            } else {
                this.upsampler = null;
            }
        }

        NDArray forward(NDArray h) {
            for (ResnetBlock2D r : resnets.items()) {
                h = r.forward(h, null);
            }
            if (upsampler != null) {
                h = upsampler.forward(h, 2 * h.getShape().get(2), 2 * h.getShape().get(3));
            }
            return h;
        }
    }
}
