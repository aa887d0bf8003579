package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * DDIM (Song et al. 2020, "Denoising Diffusion Implicit Models"), deterministic (eta = 0), as
 * diffusers' {@code DDIMScheduler}.
 *
 * <p>Config: the common keys, timestep_spacing (default leading), set_alpha_to_one (default
 * true), clip_sample (default true) with clip_sample_range (1.0), prediction_type epsilon,
 * v_prediction or sample, rescale_betas_zero_snr. Not supported: thresholding.
 */
public final class DDIMScheduler extends AbstractScheduler {
    private final float finalAlphaCumprod;
    private final boolean clipSample;
    private final double clipSampleRange;

    public DDIMScheduler(JsonConfig json) {
        super(json, "DDIMScheduler", "leading", true,
                PredictionType.EPSILON, PredictionType.V_PREDICTION, PredictionType.SAMPLE);
        // alpha_bar before the first training step: 1, or alpha_bar_0
        this.finalAlphaCumprod = config.flag("set_alpha_to_one", true) ? 1f : alphasCumprod[0];
        this.clipSample = config.flag("clip_sample", true);
        this.clipSampleRange = config.number("clip_sample_range", 1.0);
        config.requireFlag("thresholding", false, false, "dynamic thresholding is for pixel-space models");
    }

    @Override
    protected void computeSchedule(int n) {
        timesteps = toFloats(integerTimesteps(n));
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        // DDIM eq. 12 with sigma_t = 0 (eta = 0):
        // x_prev = sqrt(a_prev) * x0_pred + sqrt(1 - a_prev) * eps_pred
        // float32, operation by operation as the reference computes it
        int t = (int) timesteps[stepIndex];
        int prevT = t - numTrainTimesteps / numInferenceSteps;
        float alphaProdT = alphasCumprod[t];
        float alphaProdPrev = prevT >= 0 ? alphasCumprod[prevT] : finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float sqrtA = (float) Math.sqrt(alphaProdT);
        float sqrtB = (float) Math.sqrt(betaProdT);
        float sqrtAPrev = (float) Math.sqrt(alphaProdPrev);
        float sqrtBPrev = (float) Math.sqrt(1f - alphaProdPrev);
        float lo = (float) -clipSampleRange;
        float hi = (float) clipSampleRange;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            float m = modelOutput[i];
            float x0;
            float eps;
            switch (predictionType) {
                case EPSILON -> {
                    x0 = (x - sqrtB * m) / sqrtA;
                    eps = m;
                }
                case SAMPLE -> {
                    x0 = m;
                    eps = (x - sqrtA * x0) / sqrtB;
                }
                default -> { // v = sqrt(a) eps - sqrt(1 - a) x0
                    x0 = sqrtA * x - sqrtB * m;
                    eps = sqrtA * m + sqrtB * x;
                }
            }
            if (clipSample) {
                x0 = Math.max(lo, Math.min(hi, x0));
            }
            out[i] = sqrtAPrev * x0 + sqrtBPrev * eps;
        }
        return out;
    }
}
