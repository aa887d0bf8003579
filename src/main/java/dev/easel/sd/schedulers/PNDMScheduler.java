package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * PLMS, the linear multistep part of PNDM (Liu et al. 2022, "Pseudo Numerical Methods for
 * Diffusion Models on Manifolds"), as diffusers' {@code PNDMScheduler} with
 * {@code skip_prk_steps = true}: the Runge-Kutta warm-up is replaced by one repeated timestep
 * (a second-order step on the first two model outputs), so a run of n steps has n + 1 model
 * evaluations.
 *
 * <p>Config: the common keys, timestep_spacing (default leading), set_alpha_to_one (default
 * false), prediction_type epsilon or v_prediction. skip_prk_steps must be true.
 */
public final class PNDMScheduler extends AbstractScheduler {
    private final float finalAlphaCumprod;

    // run state: the last four model outputs (newest last), the step counter, the held sample
    private final float[][] ets = new float[4][];
    private int etsCount;
    private int counter;
    private float[] curSample;

    public PNDMScheduler(JsonConfig json) {
        super(json, "PNDMScheduler", "leading", false, PredictionType.EPSILON, PredictionType.V_PREDICTION);
        this.finalAlphaCumprod = config.flag("set_alpha_to_one", false) ? 1f : alphasCumprod[0];
        config.requireFlag("skip_prk_steps", false, true,
                "only the PLMS steps are implemented; the Runge-Kutta warm-up is skipped as in SD pipelines");
    }

    @Override
    protected void computeSchedule(int n) {
        // ascending base timesteps, then PLMS order: all but the last, the second-to-last again, the last; reversed
        long[] base = new long[n];
        switch (timestepSpacing) {
            case "linspace" -> {
                double[] v = SchedulerMath.npLinspace(0, numTrainTimesteps - 1, n);
                for (int i = 0; i < n; i++) {
                    base[i] = (long) Math.rint(v[i]);
                }
            }
            case "leading" -> {
                long ratio = numTrainTimesteps / n;
                for (int i = 0; i < n; i++) {
                    base[i] = i * ratio + stepsOffset;
                }
            }
            default -> {
                long[] desc = trailing(numTrainTimesteps, (double) numTrainTimesteps / n);
                base = new long[desc.length];
                for (int i = 0; i < desc.length; i++) {
                    base[i] = desc[desc.length - 1 - i];
                }
            }
        }
        int m = base.length;
        long[] plms = new long[m + (m >= 2 ? 1 : 0)];
        int k = 0;
        for (int i = 0; i < m - 1; i++) {
            plms[k++] = base[i];
        }
        if (m >= 2) {
            plms[k++] = base[m - 2];
        }
        plms[k] = base[m - 1];
        float[] t = new float[plms.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = plms[plms.length - 1 - i];
        }
        timesteps = t;
        etsCount = 0;
        counter = 0;
        curSample = null;
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        int timestep = (int) timesteps[stepIndex];
        int stride = numTrainTimesteps / numInferenceSteps;
        int prevTimestep = timestep - stride;
        if (counter != 1) {
            pushEt(modelOutput);
        } else {
            // the repeated timestep: redo the first step from the held sample
            prevTimestep = timestep;
            timestep = timestep + stride;
        }
        int n = sample.length;
        float[] eps = new float[n];
        float[] x = sample;
        float[] e1 = etsCount > 0 ? ets[etsCount - 1] : null;
        if (etsCount == 1 && counter == 0) {
            System.arraycopy(modelOutput, 0, eps, 0, n);
            curSample = sample.clone();
        } else if (etsCount == 1 && counter == 1) {
            // second-order (Heun-like) start: average of the two model outputs
            for (int i = 0; i < n; i++) {
                eps[i] = (modelOutput[i] + e1[i]) / 2f;
            }
            x = curSample;
            curSample = null;
        } else if (etsCount == 2) {
            float[] e2 = ets[0];
            for (int i = 0; i < n; i++) {
                eps[i] = (3f * e1[i] - e2[i]) / 2f;
            }
        } else if (etsCount == 3) {
            float[] e2 = ets[1];
            float[] e3 = ets[0];
            for (int i = 0; i < n; i++) {
                eps[i] = (23f * e1[i] - 16f * e2[i] + 5f * e3[i]) / 12f;
            }
        } else {
            // fourth-order Adams-Bashforth: (55 e_t - 59 e_{t-1} + 37 e_{t-2} - 9 e_{t-3}) / 24
            float[] e2 = ets[2];
            float[] e3 = ets[1];
            float[] e4 = ets[0];
            float inv24 = (float) (1.0 / 24);
            for (int i = 0; i < n; i++) {
                eps[i] = inv24 * (55f * e1[i] - 59f * e2[i] + 37f * e3[i] - 9f * e4[i]);
            }
        }
        float[] prev = prevSample(x, timestep, prevTimestep, eps);
        counter++;
        return prev;
    }

    /** Appends a copy of a model output, keeping the newest four (a ring of reused buffers). */
    private void pushEt(float[] modelOutput) {
        float[] slot;
        if (etsCount < 4) {
            slot = ets[etsCount];
            if (slot == null || slot.length != modelOutput.length) {
                slot = new float[modelOutput.length];
            }
            ets[etsCount++] = slot;
        } else {
            slot = ets[0];
            System.arraycopy(ets, 1, ets, 0, 3);
            ets[3] = slot;
        }
        System.arraycopy(modelOutput, 0, slot, 0, modelOutput.length);
    }

    /**
     * PNDM eq. 9 (the "transfer" part): x_prev = sqrt(a_prev / a_t) x_t - (a_prev - a_t) eps /
     * (a_t sqrt(1 - a_prev) + sqrt(a_t (1 - a_t) a_prev)).
     */
    private float[] prevSample(float[] sample, int t, int prevT, float[] eps) {
        // float32, operation by operation as the reference computes it
        float alphaT = alphasCumprod[t];
        float alphaPrev = prevT >= 0 ? alphasCumprod[prevT] : finalAlphaCumprod;
        float betaT = 1f - alphaT;
        float betaPrev = 1f - alphaPrev;
        float sampleCoeff = (float) Math.sqrt(alphaPrev / alphaT);
        float denom = alphaT * (float) Math.sqrt(betaPrev) + (float) Math.sqrt(alphaT * betaT * alphaPrev);
        float diff = alphaPrev - alphaT;
        float sqrtA = (float) Math.sqrt(alphaT);
        float sqrtB = (float) Math.sqrt(betaT);
        boolean v = predictionType == PredictionType.V_PREDICTION;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            // v-prediction to epsilon: eps = sqrt(a) v + sqrt(1 - a) x
            float e = v ? sqrtA * eps[i] + sqrtB * x : eps[i];
            out[i] = sampleCoeff * x - diff * e / denom;
        }
        return out;
    }
}
