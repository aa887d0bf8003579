package dev.easel.application;

/**
 * How buttons derive new jobs.
 *
 * @param subtleStrength  image-to-image strength of "Vary (subtle)": little noise, the picture stays close
 * @param strongStrength  strength of "Vary (strong)"
 * @param upscaleStrength strength of the re-detailing pass of an upscale
 * @param gridCandidates  candidates in a variation grid
 */
public record VariationSettings(double subtleStrength, double strongStrength, double upscaleStrength,
                                int gridCandidates) {
    public VariationSettings {
        for (double s : new double[] {subtleStrength, strongStrength, upscaleStrength}) {
            if (!(s > 0 && s <= 1)) {
                throw new IllegalArgumentException("strengths must be in (0, 1]; got " + s);
            }
        }
        if (gridCandidates < 1) {
            throw new IllegalArgumentException("grid candidates must be >= 1; got " + gridCandidates);
        }
    }

    public static VariationSettings defaults() {
        return new VariationSettings(0.35, 0.75, 0.3, 4);
    }
}
