package dev.easel.application;

import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;

import java.util.LinkedHashMap;
import java.util.Map;

/** What every stored image carries so it can be reproduced: the job's parameters and the candidate's seed and guidance. */
public final class ImageMetadata {
    private ImageMetadata() {
    }

    /**
     * @param candidate the image's candidate, or null for a grid (then the base seed and guidance)
     */
    public static Map<String, String> of(GenerationParams p, Candidate candidate, long baseSeed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("prompt", p.prompt());
        if (!p.negativePrompt().isEmpty()) {
            m.put("negative_prompt", p.negativePrompt());
        }
        m.put("seed", Long.toString(candidate == null ? baseSeed : candidate.seed()));
        m.put("steps", Integer.toString(p.steps()));
        m.put("sampler", p.sampler().id());
        m.put("guidance_scale", Double.toString(candidate == null ? p.guidanceScale() : candidate.guidanceScale()));
        m.put("size", p.width() + "x" + p.height());
        m.put("model", p.model());
        if (p.tile()) {
            m.put("tile", "true");
        }
        if (p.strength() > 0) {
            m.put("strength", Double.toString(p.strength()));
        }
        return m;
    }
}
