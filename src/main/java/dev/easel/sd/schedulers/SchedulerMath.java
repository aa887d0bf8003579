package dev.easel.sd.schedulers;

/**
 * The numerics shared by the schedulers: the training noise schedule (betas, cumulative alphas),
 * timestep spacings, sigma tables and their interpolation.
 *
 * <p>Reference schedulers compute their tables with torch in float32 and numpy in float64; the
 * functions here reproduce those dtypes step by step (Java {@code float} arithmetic is IEEE
 * single precision, like torch's CPU kernels), so that tables match bit for bit or to the last
 * unit in the last place. Per-element work on latents is done by the scheduler classes.
 */
final class SchedulerMath {
    private SchedulerMath() {
    }

    // ---------------------------------------------------------------- training noise schedule

    /**
     * The betas of the training schedule: {@code trained_betas} if given, else from
     * {@code beta_schedule} over {@code num_train_timesteps}: linear, scaled_linear (linear in
     * sqrt(beta), then squared) or squaredcos_cap_v2 (Nichol and Dhariwal's cosine schedule).
     * With {@code rescale_betas_zero_snr} (where the class offers it) the schedule is rescaled to
     * zero terminal SNR (Lin et al. 2023, Algorithm 1).
     */
    static float[] betas(SchedulerConfig c, int numTrainTimesteps, boolean rescaleAllowed) {
        float[] betas;
        double[] trained = c.optionalNumbers("trained_betas");
        if (trained != null) {
            if (trained.length != numTrainTimesteps) {
                throw c.bad("trained_betas", trained.length + " values",
                        "num_train_timesteps (" + numTrainTimesteps + ") values");
            }
            betas = new float[trained.length];
            for (int i = 0; i < betas.length; i++) {
                betas[i] = (float) trained[i];
            }
        } else {
            String schedule = c.choice("beta_schedule", "linear", "linear", "scaled_linear", "squaredcos_cap_v2");
            double betaStart = c.number("beta_start", 0.0001);
            double betaEnd = c.number("beta_end", 0.02);
            betas = switch (schedule) {
                case "linear" -> torchLinspace(betaStart, betaEnd, numTrainTimesteps);
                case "scaled_linear" -> {
                    // torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=float32) ** 2
                    float[] root = torchLinspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), numTrainTimesteps);
                    for (int i = 0; i < root.length; i++) {
                        root[i] = root[i] * root[i];
                    }
                    yield root;
                }
                default -> cosineBetas(numTrainTimesteps);
            };
        }
        for (int i = 0; i < betas.length; i++) {
            if (!(betas[i] >= 0f && betas[i] < 1f)) {
                throw c.bad(trained != null ? "trained_betas" : "beta_start/beta_end",
                        "beta[" + i + "] = " + betas[i], "values giving betas in [0, 1)");
            }
        }
        if (rescaleAllowed && c.flag("rescale_betas_zero_snr", false)) {
            betas = rescaleZeroTerminalSnr(betas);
        } else if (!rescaleAllowed) {
            c.requireFlag("rescale_betas_zero_snr", false, false, c.className() + " has no such option");
        }
        return betas;
    }

    /** alphas_cumprod[t] = prod_{s<=t} (1 - beta_s); torch's float cumprod accumulates in double. */
    static float[] alphasCumprod(float[] betas) {
        float[] out = new float[betas.length];
        double acc = 1.0;
        for (int i = 0; i < betas.length; i++) {
            acc *= (1f - betas[i]);
            out[i] = (float) acc;
        }
        return out;
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} as torch's vectorised CPU kernel
     * computes it: each 8-lane vector starts at {@code fma(step, i0, start)} (or, past the
     * halfway point, {@code end - step * (steps - i0 - 1)}) and adds {@code step * lane}; the
     * tail after the last 16-element block is computed element by element.
     */
    static float[] torchLinspace(double startD, double endD, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = (float) startD;
            return out;
        }
        float start = (float) startD;
        float end = (float) endD;
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        int vec = 8;
        int vectorised = steps / (2 * vec) * (2 * vec);
        for (int i0 = 0; i0 < vectorised; i0 += vec) {
            float base = i0 < halfway ? Math.fma(step, (float) i0, start) : Math.fma(-step, (float) (steps - i0 - 1), end);
            for (int lane = 0; lane < vec; lane++) {
                out[i0 + lane] = Math.fma(step, (float) lane, base);
            }
        }
        for (int i = vectorised; i < steps; i++) {
            out[i] = i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
        }
        return out;
    }

    /** betas_for_alpha_bar with the cosine alpha_bar(t) = cos((t + 0.008) / 1.008 * pi / 2)^2, max_beta 0.999. */
    static float[] cosineBetas(int numTrainTimesteps) {
        float[] out = new float[numTrainTimesteps];
        for (int i = 0; i < numTrainTimesteps; i++) {
            double t1 = (double) i / numTrainTimesteps;
            double t2 = (double) (i + 1) / numTrainTimesteps;
            out[i] = (float) Math.min(1 - alphaBarCosine(t2) / alphaBarCosine(t1), 0.999);
        }
        return out;
    }

    private static double alphaBarCosine(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * Rescales betas so the last timestep has zero SNR (Lin et al. 2023, "Common Diffusion Noise
     * Schedules and Sample Steps are Flawed", Algorithm 1), in float32 like the reference:
     * sqrt(alpha_bar) is shifted so its last value is 0 and scaled so its first is unchanged.
     */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        float[] ac = alphasCumprod(betas);
        int n = ac.length;
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) Math.sqrt(ac[i]);
        }
        float s0 = s[0];
        float sT = s[n - 1];
        float scale = s0 / (s0 - sT);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (s[i] - sT) * scale;
            bar[i] = v * v;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    /** sigma_t = sqrt((1 - alpha_bar_t) / alpha_bar_t) per training timestep, float32 as torch computes it. */
    static float[] trainingSigmas(float[] alphasCumprod) {
        float[] out = new float[alphasCumprod.length];
        for (int i = 0; i < out.length; i++) {
            float a = alphasCumprod[i];
            out[i] = (float) Math.sqrt((1f - a) / a);
        }
        return out;
    }

    /** Natural log of each value, rounded to float32 (numpy's log of a float32 array). */
    static float[] logF32(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(values[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- numpy helpers

    /** {@code np.linspace(start, stop, num)} in float64: start + i * ((stop - start) / (num - 1)), last = stop. */
    static double[] npLinspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** {@code np.arange(start, stop, step)} in float64: ceil((stop - start) / step) values start + i * delta. */
    static double[] npArange(double start, double stop, double step) {
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[n];
        double delta = (start + step) - start;
        for (int i = 0; i < n; i++) {
            out[i] = start + i * delta;
        }
        return out;
    }

    /** {@code np.interp(x, arange(len(fp)), fp)}: piecewise-linear interpolation on an integer grid. */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) {
            return fp[0];
        }
        if (x >= last) {
            return fp[last];
        }
        int j = (int) Math.floor(x);
        double slope = (double) fp[j + 1] - fp[j]; // grid spacing 1
        return slope * (x - j) + fp[j];
    }

    /**
     * Karras et al. 2022 (eq. 5) noise levels: sigma_i = (max^(1/rho) + i/(n-1) (min^(1/rho) -
     * max^(1/rho)))^rho with rho = 7, from sigma_max down to sigma_min.
     */
    static double[] karrasSigmas(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = npLinspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    /**
     * The fractional training timestep whose sigma is {@code sigma}: linear interpolation of
     * log(sigma) between the two neighbouring entries of {@code logSigmas} (ascending with t),
     * clamped to [0, T - 1].
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        float logSigmaF = (float) logSigma; // numpy compares in the float32 array's dtype
        int count = 0;
        int lowIdx = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigmaF - logSigmas[i] >= 0f) {
                count++;
                lowIdx = i; // argmax of the cumulative count = last index where dists >= 0
            }
        }
        if (count == 0) {
            lowIdx = 0;
        }
        lowIdx = Math.min(lowIdx, logSigmas.length - 2);
        int highIdx = lowIdx + 1;
        double low = logSigmas[lowIdx];
        double high = logSigmas[highIdx];
        double w = (low - logSigma) / (low - high);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * lowIdx + w * highIdx;
    }

    /**
     * alpha_t = 1 / sqrt(sigma^2 + 1), float32: the variance-preserving scale for noise level sigma
     * (the matching noise scale is sigma_t = sigma * alpha_t).
     */
    static float alphaFromSigma(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    /** Checks an index into an array of {@code length}, naming {@code what} when it is out of range. */
    static void checkIndex(int index, int length, String what) {
        if (index < 0 || index >= length) {
            throw new IllegalArgumentException(what + " " + index + " is outside 0.." + (length - 1));
        }
    }

    /**
     * Multistep solvers' conversion of the model output at {@code sigma} into x0 (data prediction)
     * or epsilon, element-wise into {@code out} (float32 in the reference's order).
     */
    static void convertModelOutput(PredictionType type, boolean toX0, float[] sample, float[] modelOutput,
                                   float sigma, float[] out) {
        float alpha = alphaFromSigma(sigma);
        float sigmaT = sigma * alpha;
        for (int i = 0; i < out.length; i++) {
            float x = sample[i];
            float m = modelOutput[i];
            if (toX0) {
                out[i] = switch (type) {
                    case EPSILON -> (x - sigmaT * m) / alpha; // x0 = (x - sigma_t eps) / alpha_t
                    case SAMPLE -> m;
                    case V_PREDICTION -> alpha * x - sigmaT * m; // x0 = alpha_t x - sigma_t v
                };
            } else {
                out[i] = switch (type) {
                    case EPSILON -> m;
                    case SAMPLE -> (x - alpha * m) / sigmaT;
                    case V_PREDICTION -> alpha * m + sigmaT * x; // eps = alpha_t v + sigma_t x
                };
            }
        }
    }

    /** alpha, sigma_t and lambda = log(alpha) - log(sigma_t) at {@code sigma} (float32, as the reference). */
    static float[] lambdaPoint(float sigma) {
        float alpha = alphaFromSigma(sigma);
        float sigmaT = sigma * alpha;
        float lambda = (float) Math.log(alpha) - (float) Math.log(sigmaT);
        return new float[] {alpha, sigmaT, lambda};
    }
}
