package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * Multistep DPM-Solver (Lu et al. 2022, "DPM-Solver" and "DPM-Solver++"), as diffusers'
 * {@code DPMSolverMultistepScheduler}. "DPM++ 2M" is algorithm_type dpmsolver++ with
 * solver_order 2; "DPM++ 2M Karras" adds use_karras_sigmas.
 *
 * <p>In log-SNR time lambda = log(alpha_t / sigma_t) with h = lambda_next - lambda_i the
 * data-prediction (++) update is x_next = (sigma_next / sigma_i) x - alpha_next (e^{-h} - 1) D,
 * where D is x0 (first order) or x0 plus a finite-difference correction from the previous
 * model output (second/third order multistep).
 *
 * <p>Config: the common keys, timestep_spacing (default linspace), prediction_type epsilon,
 * v_prediction or sample, algorithm_type (dpmsolver++ default, dpmsolver, sde-dpmsolver++,
 * sde-dpmsolver; the sde variants draw noise), solver_order 1-3, solver_type (midpoint, heun),
 * lower_order_final, euler_at_final, use_karras_sigmas (with sigma_min / sigma_max if a config
 * carries them), use_lu_lambdas, final_sigmas_type (zero, sigma_min), lambda_min_clipped,
 * rescale_betas_zero_snr. Not supported: thresholding, learned variance.
 */
public final class DPMSolverMultistepScheduler extends AbstractScheduler {
    private final int solverOrder;
    private final String algorithmType;
    private final boolean dataPrediction;
    private final boolean sde;
    private final boolean heun;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;
    private final boolean useKarrasSigmas;
    private final boolean useLuLambdas;
    private final String finalSigmasType;
    private final double lambdaMinClipped;
    private final Double sigmaMinOverride;
    private final Double sigmaMaxOverride;
    private final float[] trainingSigmas;

    private float[] sigmas;
    // run state: the last solverOrder converted model outputs (newest last), steps run so far at lower order
    private final float[][] modelOutputs;
    private int lowerOrderNums;

    public DPMSolverMultistepScheduler(JsonConfig json) {
        super(json, "DPMSolverMultistepScheduler", "linspace", true,
                PredictionType.EPSILON, PredictionType.V_PREDICTION, PredictionType.SAMPLE);
        this.solverOrder = config.integer("solver_order", 2, 1);
        if (solverOrder > 3) {
            throw config.bad("solver_order", solverOrder, "1, 2 or 3");
        }
        String algorithm = config.choice("algorithm_type", "dpmsolver++",
                "dpmsolver++", "dpmsolver", "sde-dpmsolver++", "sde-dpmsolver", "deis");
        this.algorithmType = algorithm.equals("deis") ? "dpmsolver++" : algorithm; // as the reference maps it
        this.dataPrediction = algorithmType.endsWith("++");
        this.sde = algorithmType.startsWith("sde-");
        String solverType = config.choice("solver_type", "midpoint", "midpoint", "heun", "logrho", "bh1", "bh2");
        this.heun = solverType.equals("heun"); // logrho, bh1, bh2 fall back to midpoint as in the reference
        this.lowerOrderFinal = config.flag("lower_order_final", true);
        this.eulerAtFinal = config.flag("euler_at_final", false);
        this.useKarrasSigmas = config.flag("use_karras_sigmas", false);
        this.useLuLambdas = config.flag("use_lu_lambdas", false);
        this.finalSigmasType = config.choice("final_sigmas_type", "zero", "zero", "sigma_min");
        this.lambdaMinClipped = config.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        this.sigmaMinOverride = config.optionalNumber("sigma_min");
        this.sigmaMaxOverride = config.optionalNumber("sigma_max");
        config.requireFlag("thresholding", false, false, "dynamic thresholding is for pixel-space models");
        if (config.has("variance_type")) {
            throw config.unsupported("variance_type " + config.raw("variance_type")
                    + " is not supported (it is for models that also predict their variance); leave it null");
        }
        if (!dataPrediction && finalSigmasType.equals("zero")) {
            throw config.unsupported("final_sigmas_type zero is not supported with algorithm_type " + algorithmType
                    + "; use sigma_min");
        }
        if (sde && solverOrder == 3) {
            throw config.unsupported("solver_order 3 is not supported with algorithm_type " + algorithmType
                    + "; use 1 or 2");
        }
        if (config.flag("rescale_betas_zero_snr", false)) {
            alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f; // keeps the last sigma finite, as the reference
        }
        this.trainingSigmas = SchedulerMath.trainingSigmas(alphasCumprod);
        this.modelOutputs = new float[solverOrder][];
    }

    @Override
    public boolean isStochastic() {
        return sde;
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    protected void computeSchedule(int n) {
        // the last usable training timestep: lambda(t) must stay >= lambda_min_clipped
        int clippedIdx = 0;
        float clip = (float) lambdaMinClipped;
        for (int k = 0; k < numTrainTimesteps; k++) {
            float a = alphasCumprod[numTrainTimesteps - 1 - k]; // lambda_t flipped: ascending
            float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
            if (lambda >= clip) {
                break;
            }
            clippedIdx++;
        }
        int lastTimestep = numTrainTimesteps - clippedIdx;
        long[] ts;
        switch (timestepSpacing) {
            case "linspace" -> {
                double[] v = SchedulerMath.npLinspace(0, lastTimestep - 1, n + 1);
                ts = new long[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = (long) Math.rint(v[n - i]);
                }
            }
            case "leading" -> {
                long ratio = lastTimestep / (n + 1);
                ts = new long[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = (n - i) * ratio + stepsOffset;
                }
            }
            default -> ts = trailing(lastTimestep, (double) numTrainTimesteps / n);
        }
        double[] s;
        if (useKarrasSigmas || useLuLambdas) {
            float[] logSigmas = SchedulerMath.logF32(trainingSigmas);
            if (useKarrasSigmas) {
                double sigmaMin = sigmaMinOverride != null ? sigmaMinOverride : trainingSigmas[0];
                double sigmaMax = sigmaMaxOverride != null ? sigmaMaxOverride : trainingSigmas[numTrainTimesteps - 1];
                s = SchedulerMath.karrasSigmas(sigmaMin, sigmaMax, n);
            } else {
                // uniform in log sigma between the schedule's ends
                double lambdaMin = logSigmas[0];
                double lambdaMax = logSigmas[numTrainTimesteps - 1];
                double[] ramp = SchedulerMath.npLinspace(0, 1, n);
                s = new double[n];
                for (int i = 0; i < n; i++) {
                    s[i] = Math.exp(lambdaMax + ramp[i] * (lambdaMin - lambdaMax));
                }
            }
            ts = new long[n];
            for (int i = 0; i < n; i++) {
                ts[i] = (long) Math.rint(SchedulerMath.sigmaToT(s[i], logSigmas));
            }
        } else {
            s = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                s[i] = SchedulerMath.interp(ts[i], trainingSigmas);
            }
        }
        float[] sig = new float[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            sig[i] = (float) s[i];
        }
        sig[s.length] = finalSigmasType.equals("zero") ? 0f : trainingSigmas[0];
        sigmas = sig;
        timesteps = toFloats(ts);
        lowerOrderNums = 0;
        java.util.Arrays.fill(modelOutputs, null);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        checkSameLength(original, noise);
        // x_t = alpha_t x0 + sigma_t eps with alpha_t = 1 / sqrt(sigma^2 + 1), sigma_t = sigma alpha_t
        float alpha = SchedulerMath.alphaFromSigma(sigmas[stepIndex]);
        float sigmaT = sigmas[stepIndex] * alpha;
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = alpha * original[i] + sigmaT * noise[i];
        }
        return out;
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        int count = timesteps.length;
        boolean finalStep = stepIndex == count - 1;
        boolean useFirstAtFinal = finalStep
                && (eulerAtFinal || (lowerOrderFinal && count < 15) || finalSigmasType.equals("zero"));
        boolean useSecondAtSecondLast = stepIndex == count - 2 && lowerOrderFinal && count < 15;

        float[] converted = convertModelOutput(modelOutput, stepIndex, sample);
        float[] z = sde ? drawNoise(noise, sample.length) : null;

        float[] prev;
        if (solverOrder == 1 || lowerOrderNums < 1 || useFirstAtFinal) {
            prev = firstOrderUpdate(converted, stepIndex, sample, z);
        } else if (solverOrder == 2 || lowerOrderNums < 2 || useSecondAtSecondLast) {
            prev = secondOrderUpdate(stepIndex, sample, z);
        } else {
            prev = thirdOrderUpdate(stepIndex, sample);
        }
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums++;
        }
        return prev;
    }

    /**
     * The model output as the solver's variable: x0 for the ++ (data prediction) algorithms,
     * epsilon otherwise. Stored as the newest entry of the history; returned.
     */
    private float[] convertModelOutput(float[] modelOutput, int stepIndex, float[] sample) {
        float[] slot = modelOutputs[0];
        System.arraycopy(modelOutputs, 1, modelOutputs, 0, solverOrder - 1);
        if (slot == null || slot.length != sample.length) {
            slot = new float[sample.length];
        }
        modelOutputs[solverOrder - 1] = slot;

        SchedulerMath.convertModelOutput(predictionType, dataPrediction, sample, modelOutput, sigmas[stepIndex], slot);
        return slot;
    }

    /** alpha, sigma_t and lambda at run sigma index i. */
    private float[] point(int i) {
        return SchedulerMath.lambdaPoint(sigmas[i]);
    }

    private static float exp(float v) {
        return (float) Math.exp(v);
    }

    /**
     * DPM-Solver(++)-1 (DDIM in log-SNR time), optionally with SDE noise:
     * ++: x_t = (sigma_t / sigma_s) x - alpha_t (e^{-h} - 1) x0; plain: x_t = (alpha_t / alpha_s) x - sigma_t (e^h - 1) eps.
     */
    private float[] firstOrderUpdate(float[] m0, int i, float[] x, float[] z) {
        float[] t = point(i + 1);
        float[] s = point(i);
        float h = t[2] - s[2];
        float a;
        float b;
        float c = 0f;
        switch (algorithmType) {
            case "dpmsolver++" -> {
                a = t[1] / s[1];
                b = -(t[0] * (exp(-h) - 1f));
            }
            case "dpmsolver" -> {
                a = t[0] / s[0];
                b = -(t[1] * (exp(h) - 1f));
            }
            case "sde-dpmsolver++" -> {
                a = t[1] / s[1] * exp(-h);
                b = t[0] * (1f - exp(-2f * h));
                c = t[1] * (float) Math.sqrt(1f - exp(-2f * h));
            }
            default -> { // sde-dpmsolver
                a = t[0] / s[0];
                b = -(2f * (t[1] * (exp(h) - 1f)));
                c = t[1] * (float) Math.sqrt(exp(2f * h) - 1f);
            }
        }
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            float v = a * x[k] + b * m0[k];
            out[k] = z == null ? v : v + c * z[k];
        }
        return out;
    }

    /**
     * Multistep second order: D0 = m0, D1 = (m0 - m1) / r0 with r0 = h_prev / h;
     * ++ midpoint: x_t = (sigma_t / sigma_s0) x - alpha_t (e^{-h} - 1) (D0 + D1 / 2).
     */
    private float[] secondOrderUpdate(int i, float[] x, float[] z) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] m1 = modelOutputs[solverOrder - 2];
        float[] t = point(i + 1);
        float[] s0 = point(i);
        float[] s1 = point(i - 1);
        float h = t[2] - s0[2];
        float r0 = (s0[2] - s1[2]) / h;
        float invR0 = 1f / r0;
        float a;
        float b0;
        float b1;
        float c = 0f;
        switch (algorithmType) {
            case "dpmsolver++" -> {
                float e = t[0] * (exp(-h) - 1f);
                a = t[1] / s0[1];
                b0 = -e;
                b1 = heun ? t[0] * ((exp(-h) - 1f) / h + 1f) : -(0.5f * e);
            }
            case "dpmsolver" -> {
                float e = t[1] * (exp(h) - 1f);
                a = t[0] / s0[0];
                b0 = -e;
                b1 = heun ? -(t[1] * ((exp(h) - 1f) / h - 1f)) : -(0.5f * e);
            }
            case "sde-dpmsolver++" -> {
                float e2 = exp(-2f * h);
                a = t[1] / s0[1] * exp(-h);
                b0 = t[0] * (1f - e2);
                b1 = heun ? t[0] * ((1f - e2) / (-2f * h) + 1f) : 0.5f * (t[0] * (1f - e2));
                c = t[1] * (float) Math.sqrt(1f - e2);
            }
            default -> { // sde-dpmsolver
                float e = t[1] * (exp(h) - 1f);
                a = t[0] / s0[0];
                b0 = -(2f * e);
                b1 = heun ? -(2f * (t[1] * ((exp(h) - 1f) / h - 1f))) : -e;
                c = t[1] * (float) Math.sqrt(exp(2f * h) - 1f);
            }
        }
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            float d1 = invR0 * (m0[k] - m1[k]);
            float v = a * x[k] + b0 * m0[k] + b1 * d1;
            out[k] = z == null ? v : v + c * z[k];
        }
        return out;
    }

    /** Multistep third order (deterministic algorithms only), with second differences D2. */
    private float[] thirdOrderUpdate(int i, float[] x) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] m1 = modelOutputs[solverOrder - 2];
        float[] m2 = modelOutputs[solverOrder - 3];
        float[] t = point(i + 1);
        float[] s0 = point(i);
        float[] s1 = point(i - 1);
        float[] s2 = point(i - 2);
        float h = t[2] - s0[2];
        float r0 = (s0[2] - s1[2]) / h;
        float r1 = (s1[2] - s2[2]) / h;
        float a;
        float b0;
        float b1;
        float b2;
        if (dataPrediction) {
            float e = exp(-h) - 1f;
            a = t[1] / s0[1];
            b0 = -(t[0] * e);
            b1 = t[0] * (e / h + 1f);
            b2 = -(t[0] * ((e + h) / (h * h) - 0.5f));
        } else {
            float e = exp(h) - 1f;
            a = t[0] / s0[0];
            b0 = -(t[1] * e);
            b1 = -(t[1] * (e / h - 1f));
            b2 = -(t[1] * ((e - h) / (h * h) - 0.5f));
        }
        float invR0 = 1f / r0;
        float invR1 = 1f / r1;
        float w = r0 / (r0 + r1);
        float invR01 = 1f / (r0 + r1);
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            float d10 = invR0 * (m0[k] - m1[k]);
            float d11 = invR1 * (m1[k] - m2[k]);
            float d1 = d10 + w * (d10 - d11);
            float d2 = invR01 * (d10 - d11);
            out[k] = a * x[k] + b0 * m0[k] + b1 * d1 + b2 * d2;
        }
        return out;
    }
}
