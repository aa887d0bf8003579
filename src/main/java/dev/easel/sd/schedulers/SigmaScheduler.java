package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

/**
 * Base of the samplers that integrate in sigma space (Karras et al. 2022): x = x0 + sigma * eps.
 * The model sees x / sqrt(sigma^2 + 1) and noise is added as x0 + sigma * noise.
 */
abstract class SigmaScheduler extends AbstractScheduler {
    /** sigma per training timestep, ascending with t (float32). */
    protected final float[] trainingSigmas;
    /** This run's sigmas: one per timestep plus the final one. */
    protected float[] sigmas;

    SigmaScheduler(JsonConfig json, String className, boolean rescaleAllowed, PredictionType... types) {
        super(json, className, "linspace", rescaleAllowed, types);
        if (rescaleAllowed && config.flag("rescale_betas_zero_snr", false)) {
            // a zero terminal alpha_bar would give an infinite sigma; the reference uses 2^-24
            alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f;
        }
        this.trainingSigmas = SchedulerMath.trainingSigmas(alphasCumprod);
    }

    @Override
    public final float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    /**
     * max(sigmas) for linspace and trailing spacing; sqrt(max^2 + 1) for leading (whose first
     * timestep is not the last training step), float32.
     */
    @Override
    public float initNoiseSigma() {
        requireTimesteps();
        float max = 0f;
        for (float s : sigmas) {
            max = Math.max(max, s);
        }
        if (!timestepSpacing.equals("leading")) {
            return max;
        }
        return (float) Math.sqrt(max * max + 1f);
    }

    @Override
    public final float[] scaleModelInput(float[] sample, int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        // x / sqrt(sigma^2 + 1): the variance-preserving input the model was trained on
        float sigma = sigmas[stepIndex];
        float denom = (float) Math.sqrt(sigma * sigma + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / denom;
        }
        return out;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        checkSameLength(original, noise);
        // x_sigma = x0 + sigma * eps
        float sigma = sigmas[stepIndex];
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = original[i] + noise[i] * sigma;
        }
        return out;
    }

    /**
     * The model's x0 estimate at sigma (float32 as the reference): epsilon: x - sigma * m;
     * v: m * (-sigma / sqrt(sigma^2 + 1)) + x / (sigma^2 + 1); sample: m. The v coefficients
     * come from {@link #vScale} and {@link #varianceScale} once per step.
     */
    protected final float predictX0(float x, float m, float sigma, float vScale, float varianceScale) {
        return switch (predictionType) {
            case EPSILON -> x - sigma * m;
            case V_PREDICTION -> m * vScale + x / varianceScale;
            case SAMPLE -> m;
        };
    }

    /** sigma^2 + 1. */
    protected static float varianceScale(float sigma) {
        return sigma * sigma + 1f;
    }

    /** -sigma / sqrt(sigma^2 + 1). */
    protected static float vScale(float sigma) {
        return -sigma / (float) Math.sqrt(sigma * sigma + 1f);
    }

    /** Interpolated sigmas at fractional timesteps (np.interp over the training table), float64. */
    protected final double[] interpolatedSigmas(float[] ts) {
        double[] out = new double[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = SchedulerMath.interp(ts[i], trainingSigmas);
        }
        return out;
    }
}
