package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models"), as diffusers' {@code UniPCMultistepScheduler}: each step first corrects
 * the current sample with the new model output (UniC, skipped on the first step), then predicts
 * the next one (UniP), both multistep in log-SNR time with the B(h) variant bh2 by default.
 *
 * <p>Config: the common keys, timestep_spacing (default linspace), prediction_type epsilon,
 * v_prediction or sample, solver_order (default 2), solver_type (bh2 default, bh1), predict_x0,
 * lower_order_final, disable_corrector, use_karras_sigmas (with sigma_min / sigma_max if a config
 * carries them), final_sigmas_type (zero, sigma_min), rescale_betas_zero_snr. Not supported:
 * thresholding, solver_p.
 */
public final class UniPCMultistepScheduler extends AbstractScheduler {
    private final int solverOrder;
    private final boolean predictX0;
    private final boolean bh2;
    private final boolean lowerOrderFinal;
    private final int[] disableCorrector;
    private final boolean useKarrasSigmas;
    private final String finalSigmasType;
    private final Double sigmaMinOverride;
    private final Double sigmaMaxOverride;
    private final float[] trainingSigmas;

    private float[] sigmas;
    // run state: converted model outputs (newest last), the sample before the last prediction,
    // the order of that prediction, steps run so far at lower order, a spare buffer
    private final float[][] modelOutputs;
    private float[] lastSample;
    private int thisOrder;
    private int lowerOrderNums;
    private float[] spare;

    public UniPCMultistepScheduler(JsonConfig json) {
        super(json, "UniPCMultistepScheduler", "linspace", true,
                PredictionType.EPSILON, PredictionType.V_PREDICTION, PredictionType.SAMPLE);
        this.solverOrder = config.integer("solver_order", 2, 1);
        this.predictX0 = config.flag("predict_x0", true);
        String solverType = config.choice("solver_type", "bh2", "bh1", "bh2", "midpoint", "heun", "logrho");
        this.bh2 = !solverType.equals("bh1"); // midpoint, heun and logrho fall back to bh2 as in the reference
        this.lowerOrderFinal = config.flag("lower_order_final", true);
        this.disableCorrector = config.integers("disable_corrector");
        this.useKarrasSigmas = config.flag("use_karras_sigmas", false);
        this.finalSigmasType = config.choice("final_sigmas_type", "zero", "zero", "sigma_min");
        this.sigmaMinOverride = config.optionalNumber("sigma_min");
        this.sigmaMaxOverride = config.optionalNumber("sigma_max");
        config.requireFlag("thresholding", false, false, "dynamic thresholding is for pixel-space models");
        if (!predictX0 && finalSigmasType.equals("zero")) {
            throw config.unsupported("predict_x0 = false needs final_sigmas_type sigma_min: with a zero final sigma "
                    + "the last noise-prediction step is undefined (0 * infinity)");
        }
        if (config.has("solver_p")) {
            throw config.unsupported("solver_p (an external predictor scheduler) is not supported; leave it null");
        }
        if (config.flag("rescale_betas_zero_snr", false)) {
            alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f; // keeps the last sigma finite, as the reference
        }
        this.trainingSigmas = SchedulerMath.trainingSigmas(alphasCumprod);
        this.modelOutputs = new float[solverOrder][];
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    protected void computeSchedule(int n) {
        long[] ts;
        switch (timestepSpacing) {
            case "linspace" -> {
                double[] v = SchedulerMath.npLinspace(0, numTrainTimesteps - 1, n + 1);
                ts = new long[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = (long) Math.rint(v[n - i]);
                }
            }
            case "leading" -> {
                long ratio = numTrainTimesteps / (n + 1);
                ts = new long[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = (n - i) * ratio + stepsOffset;
                }
            }
            default -> ts = trailing(numTrainTimesteps, (double) numTrainTimesteps / n);
        }
        float[] sig;
        if (useKarrasSigmas) {
            float[] logSigmas = SchedulerMath.logF32(trainingSigmas);
            double sigmaMin = sigmaMinOverride != null ? sigmaMinOverride : trainingSigmas[0];
            double sigmaMax = sigmaMaxOverride != null ? sigmaMaxOverride : trainingSigmas[numTrainTimesteps - 1];
            double[] s = SchedulerMath.karrasSigmas(sigmaMin, sigmaMax, n);
            ts = new long[n];
            sig = new float[n + 1];
            for (int i = 0; i < n; i++) {
                ts[i] = (long) Math.rint(SchedulerMath.sigmaToT(s[i], logSigmas));
                sig[i] = (float) s[i];
            }
            sig[n] = finalSigmasType.equals("zero") ? 0f : (float) s[n - 1];
        } else {
            sig = new float[ts.length + 1];
            for (int i = 0; i < ts.length; i++) {
                sig[i] = (float) SchedulerMath.interp(ts[i], trainingSigmas);
            }
            sig[ts.length] = finalSigmasType.equals("zero") ? 0f : trainingSigmas[0];
        }
        sigmas = sig;
        timesteps = toFloats(ts);
        Arrays.fill(modelOutputs, null);
        lastSample = null;
        thisOrder = 0;
        lowerOrderNums = 0;
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
        boolean useCorrector = stepIndex > 0 && lastSample != null && !contains(disableCorrector, stepIndex - 1);
        float[] converted = convertModelOutput(modelOutput, stepIndex, sample);
        float[] x = sample;
        if (useCorrector) {
            x = correct(converted, stepIndex, lastSample, sample, thisOrder);
        }
        // history: drop the oldest, append the new output (the dropped buffer becomes the spare)
        spare = modelOutputs[0];
        System.arraycopy(modelOutputs, 1, modelOutputs, 0, solverOrder - 1);
        modelOutputs[solverOrder - 1] = converted;

        int order = lowerOrderFinal ? Math.min(solverOrder, timesteps.length - stepIndex) : solverOrder;
        thisOrder = Math.min(order, lowerOrderNums + 1); // warm-up of the multistep method
        lastSample = x == sample ? sample.clone() : x;
        float[] prev = predict(stepIndex, lastSample, thisOrder);
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums++;
        }
        return prev;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** The model output as x0 (predict_x0) or epsilon, in a reused buffer. */
    private float[] convertModelOutput(float[] modelOutput, int stepIndex, float[] sample) {
        float[] out = spare != null && spare.length == sample.length ? spare : new float[sample.length];
        spare = null;
        SchedulerMath.convertModelOutput(predictionType, predictX0, sample, modelOutput, sigmas[stepIndex], out);
        return out;
    }

    /** alpha, sigma_t and lambda at run sigma index i. */
    private float[] point(int i) {
        return SchedulerMath.lambdaPoint(sigmas[i]);
    }

    /**
     * The coefficient system of UniPC's B(h) update of the given order (paper, Algorithm 2):
     * returns {h_phi_1, B(h), b_1..b_order} with hh = -h for data prediction and
     * b_k = h_phi_k * k! / B(h), h_phi_{k+1} = h_phi_k / hh - 1 / (k+1)!.
     */
    private float[] phiCoefficients(float h, int order) {
        float hh = predictX0 ? -h : h;
        float hPhi1 = (float) Math.expm1(hh); // h phi_1(h) = e^h - 1
        float hPhiK = hPhi1 / hh - 1f;
        float bh = bh2 ? hPhi1 : hh;
        float[] out = new float[2 + order];
        out[0] = hPhi1;
        out[1] = bh;
        long factorial = 1;
        for (int k = 1; k <= order; k++) {
            out[1 + k] = hPhiK * factorial / bh;
            factorial *= k + 1;
            hPhiK = hPhiK / hh - 1f / factorial;
        }
        return out;
    }

    /** UniP: predicts the sample at sigma_{i+1} from x at sigma_i and the model outputs so far. */
    private float[] predict(int i, float[] x, int order) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] t = point(i + 1);
        float[] s0 = point(i);
        float h = t[2] - s0[2];
        // D1_k = (m_k - m0) / r_k with r_k = (lambda_{i-k} - lambda_i) / h
        int k1 = order - 1;
        float[] rks = new float[order];
        for (int k = 1; k < order; k++) {
            rks[k - 1] = (point(i - k)[2] - s0[2]) / h;
        }
        rks[order - 1] = 1f;
        float[] phi = phiCoefficients(h, order);
        float[] rhos = new float[k1];
        if (k1 == 1) {
            rhos[0] = 0.5f;
        } else if (k1 > 1) {
            rhos = solve(vandermonde(rks, k1), Arrays.copyOfRange(phi, 2, 2 + k1));
        }
        return update(x, m0, t, s0, phi, rks, rhos, k1, null, 0);
    }

    /** UniC: corrects the sample at sigma_i using the new model output there. */
    private float[] correct(float[] modelT, int i, float[] last, float[] current, int order) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] t = point(i);
        float[] s0 = point(i - 1);
        float h = t[2] - s0[2];
        int k1 = order - 1;
        float[] rks = new float[order];
        for (int k = 1; k < order; k++) {
            rks[k - 1] = (point(i - k - 1)[2] - s0[2]) / h;
        }
        rks[order - 1] = 1f;
        float[] phi = phiCoefficients(h, order);
        float[] rhos;
        if (order == 1) {
            rhos = new float[] {0.5f};
        } else {
            rhos = solve(vandermonde(rks, order), Arrays.copyOfRange(phi, 2, 2 + order));
        }
        return update(last, m0, t, s0, phi, rks, rhos, k1, modelT, rhos[order - 1]);
    }

    /**
     * x_t = (sigma_t / sigma_s0) x - alpha_t h_phi_1 m0 - alpha_t B(h) (sum_k rho_k D1_k + rho_t (model_t - m0))
     * for data prediction; with alpha and sigma swapped for noise prediction; float32 in the
     * reference's order of operations. D1_k = (m_k - m0) / r_k uses the (k+2)-th newest stored
     * output: for the predictor the new output is already stored as m0, for the corrector m0 is
     * the previous step's output.
     */
    private float[] update(float[] x, float[] m0, float[] t, float[] s0, float[] phi, float[] rks, float[] rhos,
                           int k1, float[] modelT, float rhoT) {
        float a = predictX0 ? t[1] / s0[1] : t[0] / s0[0];
        float scale = predictX0 ? t[0] : t[1];
        float b0 = scale * phi[0];
        float bb = scale * phi[1];
        float[] out = new float[x.length];
        for (int e = 0; e < out.length; e++) {
            float res = 0f;
            for (int k = 0; k < k1; k++) {
                float[] mk = modelOutputs[solverOrder - 2 - k];
                res += rhos[k] * ((mk[e] - m0[e]) / rks[k]);
            }
            if (modelT != null) {
                res += rhoT * (modelT[e] - m0[e]);
            }
            float xt = a * x[e] - b0 * m0[e];
            out[e] = k1 > 0 || modelT != null ? xt - bb * res : xt;
        }
        return out;
    }

    /** R[p][k] = r_k^p, p, k < size. */
    private static double[][] vandermonde(float[] rks, int size) {
        double[][] r = new double[size][size];
        for (int p = 0; p < size; p++) {
            for (int k = 0; k < size; k++) {
                r[p][k] = p == 0 ? 1.0 : r[p - 1][k] * rks[k];
            }
        }
        return r;
    }

    /** Solves a small dense system by Gaussian elimination with partial pivoting (in double, rounded to float32). */
    private static float[] solve(double[][] a, float[] bf) {
        int n = bf.length;
        double[][] m = new double[n][];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
            b[i] = bf[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmpRow = m[col];
            m[col] = m[pivot];
            m[pivot] = tmpRow;
            double tmp = b[col];
            b[col] = b[pivot];
            b[pivot] = tmp;
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c < n; c++) {
                    m[r][c] -= f * m[col][c];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[n];
        float[] out = new float[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < n; c++) {
                s -= m[r][c] * x[c];
            }
            x[r] = s / m[r][r];
            out[r] = (float) x[r];
        }
        return out;
    }
}
