package dev.easel.adapter.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inverse of the import mapping, written separately for the tests: a diffusers folder's tensor names (and
 * shapes) → the original LDM single-file names, the way CompVis/Stability checkpoints spell them. Used to build
 * single-file checkpoints from the golden diffusers models, and full-size key listings from the real models'
 * parameter lists.
 */
final class LdmNames {
    /** One LDM tensor: name, shape, and where its data comes from (a diffusers tensor, or the q/k/v to fuse). */
    record Ldm(String name, long[] shape, List<String> from) {
    }

    private LdmNames() {
    }

    private static final Pattern DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers)\\.(\\d+)\\.(.+)");
    private static final Pattern UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions|upsamplers)\\.(\\d+)\\.(.+)");
    private static final Pattern MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    static Map<String, Ldm> unet(Map<String, long[]> diffusers, int lpb) {
        Map<String, Ldm> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : diffusers.entrySet()) {
            String n = e.getKey();
            String ldm;
            Matcher m;
            if (n.startsWith("time_embedding.linear_1.")) {
                ldm = "time_embed.0." + n.substring(24);
            } else if (n.startsWith("time_embedding.linear_2.")) {
                ldm = "time_embed.2." + n.substring(24);
            } else if (n.startsWith("conv_in.")) {
                ldm = "input_blocks.0.0." + n.substring(8);
            } else if (n.startsWith("conv_norm_out.")) {
                ldm = "out.0." + n.substring(14);
            } else if (n.startsWith("conv_out.")) {
                ldm = "out.2." + n.substring(9);
            } else if ((m = DOWN.matcher(n)).matches()) {
                int b = Integer.parseInt(m.group(1));
                int l = Integer.parseInt(m.group(3));
                int first = 1 + b * (lpb + 1);
                ldm = switch (m.group(2)) {
                    case "resnets" -> "input_blocks." + (first + l) + ".0." + resnet(m.group(4));
                    case "attentions" -> "input_blocks." + (first + l) + ".1." + m.group(4);
                    default -> "input_blocks." + (first + lpb) + ".0.op." + m.group(4).substring("conv.".length());
                };
            } else if ((m = MID.matcher(n)).matches()) {
                int i = Integer.parseInt(m.group(2));
                ldm = m.group(1).equals("resnets") ? "middle_block." + (2 * i) + "." + resnet(m.group(3))
                        : "middle_block.1." + m.group(3);
            } else if ((m = UP.matcher(n)).matches()) {
                int b = Integer.parseInt(m.group(1));
                int l = Integer.parseInt(m.group(3));
                int first = b * (lpb + 1);
                boolean attn = diffusers.keySet().stream().anyMatch(k -> k.startsWith("up_blocks." + b + ".attentions."));
                ldm = switch (m.group(2)) {
                    case "resnets" -> "output_blocks." + (first + l) + ".0." + resnet(m.group(4));
                    case "attentions" -> "output_blocks." + (first + l) + ".1." + m.group(4);
                    default -> "output_blocks." + (first + lpb) + "." + (attn ? 2 : 1) + "." + m.group(4);
                };
            } else {
                throw new IllegalArgumentException("no LDM name for unet " + n);
            }
            put(out, "model.diffusion_model." + ldm, e.getValue(), List.of(n));
        }
        return out;
    }

    private static String resnet(String r) {
        String[][] p = {{"norm1.", "in_layers.0."}, {"conv1.", "in_layers.2."}, {"time_emb_proj.", "emb_layers.1."},
                {"norm2.", "out_layers.0."}, {"conv2.", "out_layers.3."}, {"conv_shortcut.", "skip_connection."}};
        for (String[] x : p) {
            if (r.startsWith(x[0])) {
                return x[1] + r.substring(x[0].length());
            }
        }
        throw new IllegalArgumentException("resnet " + r);
    }

    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.(resnets\\.(\\d+)|downsamplers\\.0)\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.(resnets\\.(\\d+)|upsamplers\\.0)\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid_block\\.(resnets\\.(\\d)|attentions\\.0)\\.(.+)");

    static Map<String, Ldm> vae(Map<String, long[]> diffusers, int blocks) {
        Map<String, Ldm> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : diffusers.entrySet()) {
            String n = e.getKey();
            long[] shape = e.getValue();
            String ldm;
            Matcher m;
            if (n.matches("(encoder|decoder)\\.conv_norm_out\\..+")) {
                ldm = n.replace("conv_norm_out", "norm_out");
            } else if ((m = VAE_DOWN.matcher(n)).matches()) {
                ldm = "encoder.down." + m.group(1) + (m.group(3) != null ? ".block." + m.group(3) + "."
                        + m.group(4).replace("conv_shortcut", "nin_shortcut") : ".downsample." + m.group(4));
            } else if ((m = VAE_UP.matcher(n)).matches()) {
                int ldmBlock = blocks - 1 - Integer.parseInt(m.group(1));
                ldm = "decoder.up." + ldmBlock + (m.group(3) != null ? ".block." + m.group(3) + "."
                        + m.group(4).replace("conv_shortcut", "nin_shortcut") : ".upsample." + m.group(4));
            } else if ((m = VAE_MID.matcher(n)).matches()) {
                if (m.group(3) != null) {
                    ldm = m.group(1) + ".mid.block_" + (Integer.parseInt(m.group(3)) + 1) + "."
                            + m.group(4).replace("conv_shortcut", "nin_shortcut");
                } else {
                    String r = m.group(4);
                    String[][] p = {{"group_norm.", "norm."}, {"to_q.", "q."}, {"to_k.", "k."}, {"to_v.", "v."},
                            {"to_out.0.", "proj_out."}};
                    String mapped = null;
                    for (String[] x : p) {
                        if (r.startsWith(x[0])) {
                            mapped = x[1] + r.substring(x[0].length());
                        }
                    }
                    ldm = m.group(1) + ".mid.attn_1." + mapped;
                    if (shape.length == 2) {
                        shape = new long[]{shape[0], shape[1], 1, 1}; // LDM stores them as 1×1 convolutions
                    }
                }
            } else {
                ldm = n; // conv_in, conv_out, quant_conv, post_quant_conv
            }
            put(out, "first_stage_model." + ldm, shape, List.of(n));
        }
        return out;
    }

    static Map<String, Ldm> clip(Map<String, long[]> diffusers) {
        Map<String, Ldm> out = new LinkedHashMap<>();
        diffusers.forEach((n, s) -> put(out, "cond_stage_model.transformer." + n, s, List.of(n)));
        return out;
    }

    private static final Pattern LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");

    /** OpenCLIP names; q, k and v projections are fused into in_proj ([3d, d] and [3d]). */
    static Map<String, Ldm> openClip(Map<String, long[]> diffusers) {
        Map<String, Ldm> out = new LinkedHashMap<>();
        String p = "cond_stage_model.model.";
        for (Map.Entry<String, long[]> e : diffusers.entrySet()) {
            String n = e.getKey();
            long[] s = e.getValue();
            Matcher m = LAYER.matcher(n);
            if (n.equals("text_model.embeddings.token_embedding.weight")) {
                put(out, p + "token_embedding.weight", s, List.of(n));
            } else if (n.equals("text_model.embeddings.position_embedding.weight")) {
                put(out, p + "positional_embedding", s, List.of(n));
            } else if (n.startsWith("text_model.final_layer_norm.")) {
                put(out, p + "ln_final." + n.substring("text_model.final_layer_norm.".length()), s, List.of(n));
            } else if (m.matches()) {
                String layer = p + "transformer.resblocks." + m.group(1) + ".";
                String r = m.group(2);
                if (r.matches("self_attn\\.[qkv]_proj\\.(weight|bias)")) {
                    if (r.startsWith("self_attn.q_proj")) {
                        String kind = r.substring(r.lastIndexOf('.') + 1);
                        String base = "text_model.encoder.layers." + m.group(1) + ".self_attn.";
                        long[] fused = s.clone();
                        fused[0] = 3 * s[0];
                        put(out, layer + "attn.in_proj_" + kind, fused, List.of(base + "q_proj." + kind,
                                base + "k_proj." + kind, base + "v_proj." + kind));
                    }
                } else {
                    String[][] x = {{"layer_norm1.", "ln_1."}, {"layer_norm2.", "ln_2."},
                            {"self_attn.out_proj.", "attn.out_proj."}, {"mlp.fc1.", "mlp.c_fc."}, {"mlp.fc2.", "mlp.c_proj."}};
                    String mapped = null;
                    for (String[] y : x) {
                        if (r.startsWith(y[0])) {
                            mapped = y[1] + r.substring(y[0].length());
                        }
                    }
                    if (mapped == null) {
                        throw new IllegalArgumentException("no OpenCLIP name for " + n);
                    }
                    put(out, layer + mapped, s, List.of(n));
                }
            } else {
                throw new IllegalArgumentException("no OpenCLIP name for " + n);
            }
        }
        return out;
    }

    private static void put(Map<String, Ldm> out, String name, long[] shape, List<String> from) {
        if (out.put(name, new Ldm(name, shape, new ArrayList<>(from))) != null) {
            throw new IllegalStateException("two tensors named " + name);
        }
    }
}
