package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - x0(x, sigma)) / sigma (Karras
 * et al. 2022, Algorithm 2 without churn), as diffusers' {@code EulerDiscreteScheduler} with
 * its default s_churn = 0 (deterministic; the reference draws and discards a noise tensor per
 * step, which is not reproduced).
 *
 * <p>Config: the common keys, timestep_spacing (default linspace), prediction_type epsilon,
 * v_prediction or sample, use_karras_sigmas with sigma_min / sigma_max, final_sigmas_type (zero
 * or sigma_min), timestep_type (discrete, or continuous for v-prediction: t = 0.25 log sigma),
 * interpolation_type linear, rescale_betas_zero_snr.
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {
    private final boolean useKarrasSigmas;
    private final String finalSigmasType;
    private final boolean continuousTimesteps;
    private final Double sigmaMinOverride;
    private final Double sigmaMaxOverride;

    public EulerDiscreteScheduler(JsonConfig json) {
        super(json, "EulerDiscreteScheduler", true,
                PredictionType.EPSILON, PredictionType.V_PREDICTION, PredictionType.SAMPLE);
        config.choice("interpolation_type", "linear", "linear");
        this.useKarrasSigmas = config.flag("use_karras_sigmas", false);
        this.finalSigmasType = config.choice("final_sigmas_type", "zero", "zero", "sigma_min");
        String timestepType = config.choice("timestep_type", "discrete", "discrete", "continuous");
        this.continuousTimesteps = timestepType.equals("continuous") && predictionType == PredictionType.V_PREDICTION;
        this.sigmaMinOverride = config.optionalNumber("sigma_min");
        this.sigmaMaxOverride = config.optionalNumber("sigma_max");
    }

    @Override
    protected void computeSchedule(int n) {
        float[] ts = floatTimesteps(n);
        double[] s = interpolatedSigmas(ts);
        if (useKarrasSigmas) {
            // Karras noise levels between the schedule's ends, mapped back to fractional timesteps
            double sigmaMin = sigmaMinOverride != null ? sigmaMinOverride : s[s.length - 1];
            double sigmaMax = sigmaMaxOverride != null ? sigmaMaxOverride : s[0];
            s = SchedulerMath.karrasSigmas(sigmaMin, sigmaMax, n);
            float[] logSigmas = SchedulerMath.logF32(trainingSigmas);
            ts = new float[n];
            for (int i = 0; i < n; i++) {
                ts[i] = (float) SchedulerMath.sigmaToT(s[i], logSigmas);
            }
        }
        float[] sig = new float[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            sig[i] = (float) s[i];
        }
        sig[s.length] = finalSigmasType.equals("zero") ? 0f : trainingSigmas[0];
        if (continuousTimesteps) {
            for (int i = 0; i < ts.length; i++) {
                ts[i] = 0.25f * (float) Math.log(sig[i]);
            }
        }
        sigmas = sig;
        timesteps = ts;
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        // float32, operation by operation as the reference computes it (s_churn = 0: sigma_hat = sigma)
        float sigma = sigmas[stepIndex];
        float vs = vScale(sigma);
        float var = varianceScale(sigma);
        float dt = sigmas[stepIndex + 1] - sigma;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            float x0 = predictX0(x, modelOutput[i], sigma, vs, var);
            // d = (x - x0) / sigma; x_next = x + d * (sigma_next - sigma)
            float d = (x - x0) / sigma;
            out[i] = x + d * dt;
        }
        return out;
    }
}
