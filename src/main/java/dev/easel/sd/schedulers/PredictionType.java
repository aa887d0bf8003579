package dev.easel.sd.schedulers;

/** What a diffusion model's output predicts, diffusers' {@code prediction_type}. */
public enum PredictionType {
    /** The noise that was added (eps). */
    EPSILON("epsilon"),
    /** The velocity v = alpha_t * eps - sigma_t * x0 (Salimans and Ho 2022), used by SD 2.x 768 models. */
    V_PREDICTION("v_prediction"),
    /** The clean sample x0 itself. */
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    /** The value as written in scheduler_config.json. */
    public String configName() {
        return configName;
    }
}
