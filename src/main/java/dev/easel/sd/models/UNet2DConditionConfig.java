package dev.easel.sd.models;

import dev.easel.sd.weights.JsonConfig;

import java.util.List;

/**
 * The parts of diffusers' UNet2DConditionModel config that SD 1.x / 2.x use. Anything the config
 * asks for that this implementation does not support is refused by name instead of ignored.
 */
public record UNet2DConditionConfig(
        int inChannels, int outChannels, int[] blockOutChannels, List<String> downBlockTypes,
        List<String> upBlockTypes, int layersPerBlock, int[] transformerLayersPerBlock, int[] numHeads,
        int crossAttentionDim, int normNumGroups, double normEps, boolean useLinearProjection,
        boolean upcastAttention, boolean flipSinToCos, int freqShift, int downsamplePadding,
        double midBlockScaleFactor, int sampleSize) {

    public static UNet2DConditionConfig from(JsonConfig c) {
        for (String unsupported : List.of("class_embed_type", "addition_embed_type", "time_cond_proj_dim",
                "encoder_hid_dim", "time_embedding_dim", "timestep_post_act", "time_embedding_act_fn")) {
            if (c.has(unsupported)) {
                throw new IllegalArgumentException(c.source() + ": '" + unsupported + "' = " + c.raw(unsupported)
                        + " is not supported (Stable Diffusion 1.x/2.x UNets only)");
            }
        }
        if (!"silu".equals(c.getString("act_fn", "silu"))) {
            throw new IllegalArgumentException(c.source() + ": act_fn " + c.raw("act_fn") + " is not supported (silu only)");
        }
        if (!"default".equals(c.getString("resnet_time_scale_shift", "default"))) {
            throw new IllegalArgumentException(c.source() + ": resnet_time_scale_shift "
                    + c.raw("resnet_time_scale_shift") + " is not supported (default only)");
        }
        if (c.getBool("only_cross_attention", false) || c.getBool("dual_cross_attention", false)) {
            throw new IllegalArgumentException(c.source() + ": only_cross_attention/dual_cross_attention are not supported");
        }
        String mid = c.getString("mid_block_type", "UNetMidBlock2DCrossAttn");
        if (!"UNetMidBlock2DCrossAttn".equals(mid)) {
            throw new IllegalArgumentException(c.source() + ": mid_block_type " + mid + " is not supported");
        }
        int[] boc = c.getInts("block_out_channels", 0, new int[] {320, 640, 1280, 1280});
        List<String> down = c.getStrings("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D"));
        List<String> up = c.getStrings("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D",
                "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        for (String t : down) {
            if (!t.equals("CrossAttnDownBlock2D") && !t.equals("DownBlock2D")) {
                throw new IllegalArgumentException(c.source() + ": down block type " + t + " is not supported");
            }
        }
        for (String t : up) {
            if (!t.equals("CrossAttnUpBlock2D") && !t.equals("UpBlock2D")) {
                throw new IllegalArgumentException(c.source() + ": up block type " + t + " is not supported");
            }
        }
        int n = boc.length;
        if (down.size() != n || up.size() != n) {
            throw new IllegalArgumentException(c.source() + ": block_out_channels has " + n
                    + " entries but there are " + down.size() + " down and " + up.size() + " up blocks");
        }
        // diffusers: num_attention_heads = num_attention_heads or attention_head_dim (a historical naming quirk)
        String headsKey = c.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        int[] heads = c.getInts(headsKey, n, new int[] {8, 8, 8, 8});
        int[] tlpb = c.getInts("transformer_layers_per_block", n, new int[] {1, 1, 1, 1});
        if (heads.length != n || tlpb.length != n) {
            throw new IllegalArgumentException(c.source() + ": per-block lists must have " + n + " entries");
        }
        return new UNet2DConditionConfig(
                c.getInt("in_channels", 4), c.getInt("out_channels", 4), boc, down, up,
                c.getInt("layers_per_block", 2), tlpb, heads, c.getInt("cross_attention_dim", 1280),
                c.getInt("norm_num_groups", 32), c.getDouble("norm_eps", 1e-5),
                c.getBool("use_linear_projection", false), c.getBool("upcast_attention", false),
                c.getBool("flip_sin_to_cos", true), c.getInt("freq_shift", 0),
                c.getInt("downsample_padding", 1), c.getDouble("mid_block_scale_factor", 1.0),
                c.getInt("sample_size", 64));
    }
}
