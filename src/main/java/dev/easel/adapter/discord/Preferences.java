package dev.easel.adapter.discord;

/**
 * A member's personal defaults for {@code /imagine}, set with {@code /settings}; each applies only when the prompt
 * does not say otherwise. Null fields mean "the server's default".
 *
 * @param aspectRatio e.g. "3:2" (added as {@code --ar 3:2} unless the prompt has --ar or --size)
 * @param sampler     a sampler id (added as {@code --sampler ID} unless the prompt has --sampler)
 * @param steps       denoising steps (added as {@code --steps N} unless the prompt has --steps or --q)
 */
public record Preferences(String aspectRatio, String sampler, Integer steps) {
    public static final Preferences NONE = new Preferences(null, null, null);

    public Preferences withAspectRatio(String v) {
        return new Preferences(v, sampler, steps);
    }

    public Preferences withSampler(String v) {
        return new Preferences(aspectRatio, v, steps);
    }

    public Preferences withSteps(Integer v) {
        return new Preferences(aspectRatio, sampler, v);
    }

    public boolean isEmpty() {
        return aspectRatio == null && sampler == null && steps == null;
    }
}
