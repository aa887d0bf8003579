package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * Ancestral Euler sampling (k-diffusion's {@code sample_euler_ancestral}), as diffusers'
 * {@code EulerAncestralDiscreteScheduler}: an Euler step down to sigma_down, then fresh noise
 * of standard deviation sigma_up, where sigma_up^2 + sigma_down^2 = sigma_next^2.
 * Stochastic: one standard-normal array per step from the caller's noise supplier.
 *
 * <p>Config: the common keys, timestep_spacing (default linspace), prediction_type epsilon or
 * v_prediction, rescale_betas_zero_snr.
 */
public final class EulerAncestralDiscreteScheduler extends SigmaScheduler {

    public EulerAncestralDiscreteScheduler(JsonConfig json) {
        super(json, "EulerAncestralDiscreteScheduler", true, PredictionType.EPSILON, PredictionType.V_PREDICTION);
    }

    @Override
    public boolean isStochastic() {
        return true;
    }

    @Override
    protected void computeSchedule(int n) {
        float[] ts = floatTimesteps(n);
        double[] s = interpolatedSigmas(ts);
        float[] sig = new float[n + 1];
        for (int i = 0; i < n; i++) {
            sig[i] = (float) s[i];
        }
        sigmas = sig;
        timesteps = ts;
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        float sigma = sigmas[stepIndex];
        float vs = vScale(sigma);
        float var = varianceScale(sigma);
        float sigmaTo = sigmas[stepIndex + 1];
        // sigma_up = sqrt(sigma_to^2 (sigma^2 - sigma_to^2) / sigma^2), sigma_down = sqrt(sigma_to^2 - sigma_up^2)
        float sigmaUp = (float) Math.sqrt(sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo) / (sigma * sigma));
        float sigmaDown = (float) Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigma;
        float[] z = drawNoise(noise, sample.length);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            float x0 = predictX0(x, modelOutput[i], sigma, vs, var);
            float d = (x - x0) / sigma;
            out[i] = (x + d * dt) + z[i] * sigmaUp;
        }
        return out;
    }
}
