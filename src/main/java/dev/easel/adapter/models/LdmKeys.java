package dev.easel.adapter.models;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key mapping from an original (LDM/CompVis) single-file Stable Diffusion checkpoint to diffusers' component
 * folders, after the ideas of diffusers' convert_from_ckpt:
 *
 * <pre>
 * model.diffusion_model.*              → unet/          input_blocks / middle_block / output_blocks → down/mid/up blocks
 * first_stage_model.*                  → vae/           encoder.down.i / decoder.up.i (reversed) / mid.block_1,2 / mid.attn_1
 * cond_stage_model.transformer.*       → text_encoder/  SD 1.x, CLIP ViT-L (transformers names already)
 * cond_stage_model.model.*             → text_encoder/  SD 2.x, OpenCLIP ViT-H (fused q/k/v in_proj split in three)
 * </pre>
 *
 * Each target tensor is a contiguous byte range of one source tensor (a whole tensor, the q, k or v third of an
 * in_proj, or a 1×1 convolution kernel read as a linear weight), so conversion copies bytes and is exact.
 */
public final class LdmKeys {
    public static final String UNET = "model.diffusion_model.";
    public static final String VAE = "first_stage_model.";
    public static final String CLIP = "cond_stage_model.transformer.";
    public static final String OPEN_CLIP = "cond_stage_model.model.";

    /**
     * One tensor of the diffusers folder.
     *
     * @param component   unet, vae or text_encoder
     * @param name        its diffusers name
     * @param shape       its shape (may differ from the source's: a squeezed 1×1 kernel, one third of in_proj)
     * @param part        which third of a fused in_proj it is (0 q, 1 k, 2 v), or -1 for the whole tensor
     */
    public record Target(String component, String name, long[] shape, int part) {
    }

    /**
     * What the mapping needs to know of the architecture.
     *
     * @param unetLayersPerBlock resnets per UNet down block (the up blocks have one more)
     * @param vaeBlocks          VAE encoder/decoder blocks (the decoder's are numbered in reverse in LDM files)
     * @param textLayers         transformer layers the text encoder keeps (SD 2.x uses 23 of OpenCLIP's 24)
     */
    public record Layout(int unetLayersPerBlock, int vaeBlocks, int textLayers) {
    }

    private LdmKeys() {
    }

    private static final Pattern INPUT = Pattern.compile("input_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern MIDDLE = Pattern.compile("middle_block\\.(\\d+)\\.(.+)");
    private static final Pattern OUTPUT = Pattern.compile("output_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_(\\d)|attn_1)\\.(.+)");
    private static final Pattern RESBLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");

    /**
     * The diffusers tensors made from checkpoint tensor {@code key} of shape {@code shape}: usually one, three for an
     * OpenCLIP in_proj, none for tensors the pipeline does not use (EMA copies, noise schedule buffers, OpenCLIP's
     * projection and last layer).
     *
     * @throws IllegalArgumentException for a key of a known component that fits no rule
     */
    public static List<Target> map(String key, long[] shape, Layout layout) {
        if (key.startsWith(UNET)) {
            return List.of(unet(key.substring(UNET.length()), shape, layout));
        }
        if (key.startsWith(VAE)) {
            return List.of(vae(key.substring(VAE.length()), shape, layout));
        }
        if (key.startsWith(CLIP)) {
            String rest = key.substring(CLIP.length());
            String name = rest.startsWith("text_model.") ? rest : "text_model." + rest; // old transformers files
            if (name.equals("text_model.embeddings.position_ids")) {
                return List.of(); // a constant buffer, not a weight
            }
            return List.of(new Target("text_encoder", name, shape, -1));
        }
        if (key.startsWith(OPEN_CLIP)) {
            return openClip(key.substring(OPEN_CLIP.length()), shape, layout);
        }
        return List.of(); // model_ema.*, betas, alphas_cumprod, … : training state
    }

    // ---- UNet -----------------------------------------------------------------------------------------------

    private static Target unet(String k, long[] shape, Layout layout) {
        String name = unetName(k, layout.unetLayersPerBlock());
        if (name == null) {
            throw new IllegalArgumentException("unknown UNet key " + UNET + k);
        }
        return new Target("unet", name, shape, -1);
    }

    static String unetName(String k, int lpb) {
        String[][] fixed = {
                {"time_embed.0.", "time_embedding.linear_1."}, {"time_embed.2.", "time_embedding.linear_2."},
                {"input_blocks.0.0.", "conv_in."}, {"out.0.", "conv_norm_out."}, {"out.2.", "conv_out."}};
        for (String[] f : fixed) {
            if (k.startsWith(f[0])) {
                return f[1] + k.substring(f[0].length());
            }
        }
        Matcher m;
        if ((m = INPUT.matcher(k)).matches()) {
            // input block i ≥ 1: block (i-1)/(lpb+1), layer (i-1)%(lpb+1); the last layer of a block is its downsampler
            int i = Integer.parseInt(m.group(1));
            int sub = Integer.parseInt(m.group(2));
            String rest = m.group(3);
            int block = (i - 1) / (lpb + 1);
            int layer = (i - 1) % (lpb + 1);
            if (sub == 0 && rest.startsWith("op.")) {
                return "down_blocks." + block + ".downsamplers.0.conv." + rest.substring(3);
            }
            if (sub == 0) {
                String r = resnet(rest);
                return r == null ? null : "down_blocks." + block + ".resnets." + layer + "." + r;
            }
            if (sub == 1) {
                return "down_blocks." + block + ".attentions." + layer + "." + rest;
            }
            return null;
        }
        if ((m = MIDDLE.matcher(k)).matches()) {
            // resnet, attention, resnet
            int sub = Integer.parseInt(m.group(1));
            String rest = m.group(2);
            if (sub == 0 || sub == 2) {
                String r = resnet(rest);
                return r == null ? null : "mid_block.resnets." + (sub / 2) + "." + r;
            }
            return sub == 1 ? "mid_block.attentions.0." + rest : null;
        }
        if ((m = OUTPUT.matcher(k)).matches()) {
            // output block i: block i/(lpb+1), layer i%(lpb+1); [resnet, attention?, upsampler?]
            int i = Integer.parseInt(m.group(1));
            int sub = Integer.parseInt(m.group(2));
            String rest = m.group(3);
            int block = i / (lpb + 1);
            int layer = i % (lpb + 1);
            if (sub == 0) {
                String r = resnet(rest);
                return r == null ? null : "up_blocks." + block + ".resnets." + layer + "." + r;
            }
            if ((sub == 1 || sub == 2) && rest.startsWith("conv.")) {
                return "up_blocks." + block + ".upsamplers.0.conv." + rest.substring(5);
            }
            return sub == 1 ? "up_blocks." + block + ".attentions." + layer + "." + rest : null;
        }
        return null;
    }

    /** LDM ResBlock → diffusers ResnetBlock2D: in_layers = [GroupNorm, SiLU, Conv], out_layers = [GroupNorm, SiLU, Dropout, Conv]. */
    private static String resnet(String rest) {
        String[][] r = {{"in_layers.0.", "norm1."}, {"in_layers.2.", "conv1."}, {"emb_layers.1.", "time_emb_proj."},
                {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."}};
        for (String[] p : r) {
            if (rest.startsWith(p[0])) {
                return p[1] + rest.substring(p[0].length());
            }
        }
        return null;
    }

    // ---- VAE ------------------------------------------------------------------------------------------------

    private static Target vae(String k, long[] shape, Layout layout) {
        String[][] fixed = {{"encoder.norm_out.", "encoder.conv_norm_out."}, {"decoder.norm_out.", "decoder.conv_norm_out."},
                {"encoder.conv_in.", "encoder.conv_in."}, {"encoder.conv_out.", "encoder.conv_out."},
                {"decoder.conv_in.", "decoder.conv_in."}, {"decoder.conv_out.", "decoder.conv_out."},
                {"quant_conv.", "quant_conv."}, {"post_quant_conv.", "post_quant_conv."}};
        for (String[] f : fixed) {
            if (k.startsWith(f[0])) {
                return new Target("vae", f[1] + k.substring(f[0].length()), shape, -1);
            }
        }
        Matcher m;
        if ((m = VAE_DOWN.matcher(k)).matches()) {
            String block = "encoder.down_blocks." + m.group(1);
            return new Target("vae", m.group(3) != null
                    ? block + ".resnets." + m.group(3) + "." + vaeResnet(m.group(4))
                    : block + ".downsamplers.0." + m.group(4), shape, -1);
        }
        if ((m = VAE_UP.matcher(k)).matches()) {
            // LDM numbers decoder blocks from the lowest resolution up; diffusers from the top down
            int ldm = Integer.parseInt(m.group(1));
            if (ldm >= layout.vaeBlocks()) {
                throw new IllegalArgumentException("VAE key " + VAE + k + " names decoder block " + ldm
                        + " but the config has " + layout.vaeBlocks());
            }
            String block = "decoder.up_blocks." + (layout.vaeBlocks() - 1 - ldm);
            return new Target("vae", m.group(3) != null
                    ? block + ".resnets." + m.group(3) + "." + vaeResnet(m.group(4))
                    : block + ".upsamplers.0." + m.group(4), shape, -1);
        }
        if ((m = VAE_MID.matcher(k)).matches()) {
            String mid = m.group(1) + ".mid_block.";
            if (m.group(3) != null) {
                return new Target("vae", mid + "resnets." + (Integer.parseInt(m.group(3)) - 1) + "."
                        + vaeResnet(m.group(4)), shape, -1);
            }
            // single-head attention stored as 1×1 convolutions: [C, C, 1, 1] kernels are [C, C] linear weights
            String rest = m.group(4);
            String[][] a = {{"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."},
                    {"proj_out.", "to_out.0."}};
            for (String[] p : a) {
                if (rest.startsWith(p[0])) {
                    long[] s = shape.length > 2 && !p[0].equals("norm.") ? new long[]{shape[0], shape[1]} : shape;
                    if (shape.length > 2) {
                        for (int d = 2; d < shape.length; d++) {
                            if (shape[d] != 1) {
                                throw new IllegalArgumentException("VAE attention weight " + VAE + k + " has shape "
                                        + java.util.Arrays.toString(shape) + "; expected a 1×1 kernel");
                            }
                        }
                    }
                    return new Target("vae", mid + "attentions.0." + p[1] + rest.substring(p[0].length()), s, -1);
                }
            }
        }
        throw new IllegalArgumentException("unknown VAE key " + VAE + k);
    }

    private static String vaeResnet(String rest) {
        return rest.startsWith("nin_shortcut.") ? "conv_shortcut." + rest.substring("nin_shortcut.".length()) : rest;
    }

    // ---- OpenCLIP (SD 2.x) ----------------------------------------------------------------------------------

    private static List<Target> openClip(String k, long[] shape, Layout layout) {
        switch (k) {
            case "token_embedding.weight":
                return List.of(new Target("text_encoder", "text_model.embeddings.token_embedding.weight", shape, -1));
            case "positional_embedding":
                return List.of(new Target("text_encoder", "text_model.embeddings.position_embedding.weight", shape, -1));
            case "ln_final.weight":
                return List.of(new Target("text_encoder", "text_model.final_layer_norm.weight", shape, -1));
            case "ln_final.bias":
                return List.of(new Target("text_encoder", "text_model.final_layer_norm.bias", shape, -1));
            case "text_projection", "logit_scale", "attn_mask":
                return List.of(); // CLIP's image-text head; the pipeline uses the hidden states
            default:
                break;
        }
        Matcher m = RESBLOCK.matcher(k);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown OpenCLIP key " + OPEN_CLIP + k);
        }
        int n = Integer.parseInt(m.group(1));
        if (n >= layout.textLayers()) {
            return List.of(); // SD 2.x takes the penultimate layer's output: the last layer is never used
        }
        String layer = "text_model.encoder.layers." + n + ".";
        String rest = m.group(2);
        if (rest.equals("attn.in_proj_weight") || rest.equals("attn.in_proj_bias")) {
            // in_proj = [W_q; W_k; W_v] stacked on the first axis: [3d, d] (weight) or [3d] (bias)
            if (shape[0] % 3 != 0) {
                throw new IllegalArgumentException(OPEN_CLIP + k + " has " + shape[0] + " rows, not a multiple of 3");
            }
            long[] s = shape.clone();
            s[0] = shape[0] / 3;
            String kind = rest.endsWith("weight") ? "weight" : "bias";
            return List.of(new Target("text_encoder", layer + "self_attn.q_proj." + kind, s, 0),
                    new Target("text_encoder", layer + "self_attn.k_proj." + kind, s, 1),
                    new Target("text_encoder", layer + "self_attn.v_proj." + kind, s, 2));
        }
        String[][] r = {{"ln_1.", "layer_norm1."}, {"ln_2.", "layer_norm2."}, {"attn.out_proj.", "self_attn.out_proj."},
                {"mlp.c_fc.", "mlp.fc1."}, {"mlp.c_proj.", "mlp.fc2."}};
        for (String[] p : r) {
            if (rest.startsWith(p[0])) {
                return List.of(new Target("text_encoder", layer + p[1] + rest.substring(p[0].length()), shape, -1));
            }
        }
        throw new IllegalArgumentException("unknown OpenCLIP key " + OPEN_CLIP + k);
    }
}
