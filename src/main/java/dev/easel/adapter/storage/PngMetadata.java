package dev.easel.adapter.storage;

import dev.easel.sd.image.ImageParameters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a job's metadata (prompt, negative_prompt, seed, steps, sampler, guidance_scale, size,
 * model, …) into the single {@code parameters} text chunk popular Stable Diffusion tools write
 * and read, so any stored image can be reproduced elsewhere:
 * <pre>
 * a lighthouse at dusk
 * Negative prompt: blurry
 * Steps: 30, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: sd15, Job: …
 * </pre>
 */
public final class PngMetadata {
    private PngMetadata() {
    }

    /** The display names those tools use for Easel's sampler ids. */
    public static String samplerDisplayName(String id) {
        return switch (id) {
            case "euler_a" -> "Euler a";
            case "euler" -> "Euler";
            case "ddim" -> "DDIM";
            case "pndm" -> "PLMS";
            case "lms" -> "LMS";
            case "dpmpp_2m" -> "DPM++ 2M";
            case "dpmpp_2m_karras" -> "DPM++ 2M Karras";
            case "unipc" -> "UniPC";
            default -> id;
        };
    }

    /** {"parameters": text}; metadata without a prompt (or incomplete) is written as plain text chunks. */
    public static Map<String, String> textChunks(Map<String, String> metadata) {
        String prompt = metadata.get("prompt");
        String size = metadata.get("size");
        if (prompt == null || size == null || !size.matches("\\d+x\\d+") || !metadata.containsKey("steps")
                || !metadata.containsKey("seed") || !metadata.containsKey("sampler") || !metadata.containsKey("guidance_scale")) {
            return metadata;
        }
        String[] wh = size.split("x");
        Map<String, String> extra = new LinkedHashMap<>();
        if (metadata.containsKey("strength")) {
            extra.put("Denoising strength", metadata.get("strength"));
        }
        if ("true".equals(metadata.get("tile"))) {
            extra.put("Tiling", "True");
        }
        if (metadata.containsKey("kind")) {
            extra.put("Easel kind", metadata.get("kind"));
        }
        if (metadata.containsKey("job")) {
            extra.put("Easel job", metadata.get("job"));
        }
        ImageParameters p = new ImageParameters(prompt, metadata.getOrDefault("negative_prompt", ""),
                Integer.parseInt(metadata.get("steps")), samplerDisplayName(metadata.get("sampler")),
                Double.parseDouble(metadata.get("guidance_scale")), Long.parseLong(metadata.get("seed")),
                Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), metadata.getOrDefault("model", ""), extra);
        return Map.of(dev.easel.sd.image.Png.PARAMETERS, p.toText());
    }
}
