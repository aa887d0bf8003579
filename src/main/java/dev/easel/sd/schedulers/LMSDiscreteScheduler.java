package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.function.Supplier;

/**
 * Linear multistep (k-diffusion's {@code sample_lms}), as diffusers' {@code LMSDiscreteScheduler}
 * with order 4: x_next = x + sum_k c_k d_{i-k}, where d = (x - x0) / sigma are the last
 * derivatives and c_k the integral over [sigma_i, sigma_{i+1}] of the Lagrange basis
 * polynomial through sigma_i, ..., sigma_{i-order+1}.
 *
 * <p>Config: the common keys, timestep_spacing (default linspace), prediction_type epsilon,
 * v_prediction or sample, use_karras_sigmas.
 */
public final class LMSDiscreteScheduler extends SigmaScheduler {
    /** The highest order used (the reference step's default). */
    public static final int MAX_ORDER = 4;
    /**
     * 21-point Gauss-Kronrod rule (nodes in [0, 1] of the half interval, the last is the centre),
     * the first rule of QUADPACK's adaptive integrator that the reference calls; it integrates the
     * degree <= 3 polynomials here exactly, and evaluating them in float32 at these nodes as the
     * reference does reproduces its coefficients to the last bit.
     */
    private static final double[] GK_X = {
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
        0.0};
    private static final double[] GK_W = {
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077208866851058, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821};

    private final boolean useKarrasSigmas;
    // run state: the last MAX_ORDER derivatives (newest last), in reused buffers
    private final float[][] derivatives = new float[MAX_ORDER][];
    private int derivativeCount;

    public LMSDiscreteScheduler(JsonConfig json) {
        super(json, "LMSDiscreteScheduler", false,
                PredictionType.EPSILON, PredictionType.V_PREDICTION, PredictionType.SAMPLE);
        this.useKarrasSigmas = config.flag("use_karras_sigmas", false);
    }

    @Override
    protected void computeSchedule(int n) {
        float[] ts = floatTimesteps(n);
        double[] s = interpolatedSigmas(ts);
        if (useKarrasSigmas) {
            s = SchedulerMath.karrasSigmas(s[s.length - 1], s[0], n);
            float[] logSigmas = SchedulerMath.logF32(trainingSigmas);
            for (int i = 0; i < n; i++) {
                ts[i] = (float) SchedulerMath.sigmaToT(s[i], logSigmas);
            }
        }
        float[] sig = new float[n + 1];
        for (int i = 0; i < n; i++) {
            sig[i] = (float) s[i];
        }
        sigmas = sig;
        timesteps = ts;
        derivativeCount = 0;
    }

    /**
     * The coefficients of step {@code stepIndex}, newest derivative first; entries past the
     * order in use (min(stepIndex + 1, 4)) are 0. Only as many as there are stored derivatives
     * are applied (fewer at the start of an img2img run).
     */
    public double[] lmsCoefficients(int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        int order = Math.min(stepIndex + 1, MAX_ORDER);
        double[] c = new double[MAX_ORDER];
        for (int k = 0; k < order; k++) {
            c[k] = lmsCoefficient(order, stepIndex, k);
        }
        return c;
    }

    /** Integral from sigma_t to sigma_{t+1} of prod_{k != j} (tau - sigma_{t-k}) / (sigma_{t-j} - sigma_{t-k}). */
    private double lmsCoefficient(int order, int t, int j) {
        double centre = 0.5 * ((double) sigmas[t] + sigmas[t + 1]);
        double half = 0.5 * ((double) sigmas[t + 1] - sigmas[t]);
        double sum = GK_W[10] * lagrangeBasis(order, t, j, centre);
        // Gauss nodes (odd indices) first, then the Kronrod extension nodes, as QUADPACK sums them
        for (int start = 1; start >= 0; start--) {
            for (int q = start; q < 10; q += 2) {
                double dx = half * GK_X[q];
                sum += GK_W[q] * ((double) lagrangeBasis(order, t, j, centre - dx) + lagrangeBasis(order, t, j, centre + dx));
            }
        }
        return sum * half;
    }

    /** The Lagrange basis polynomial for sigma_{t-j} at tau, evaluated in float32 like the reference. */
    private float lagrangeBasis(int order, int t, int j, double tau) {
        float prod = 1f;
        float tauF = (float) tau;
        for (int k = 0; k < order; k++) {
            if (k != j) {
                prod *= (tauF - sigmas[t - k]) / (sigmas[t - j] - sigmas[t - k]);
            }
        }
        return prod;
    }

    @Override
    protected float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        float sigma = sigmas[stepIndex];
        float vs = vScale(sigma);
        float var = varianceScale(sigma);
        int n = sample.length;
        // d = (x - x0) / sigma, float32 like the reference
        float[] d = nextDerivativeBuffer(n);
        for (int i = 0; i < n; i++) {
            float x = sample[i];
            d[i] = (x - predictX0(x, modelOutput[i], sigma, vs, var)) / sigma;
        }
        double[] c = lmsCoefficients(stepIndex);
        int used = Math.min(derivativeCount, Math.min(stepIndex + 1, MAX_ORDER));
        float[] cf = new float[used];
        for (int k = 0; k < used; k++) {
            cf[k] = (float) c[k];
        }
        // x_next = x + sum_k c_k d_{i-k}, summed newest first in float32
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float acc = 0f;
            for (int k = 0; k < used; k++) {
                acc += cf[k] * derivatives[derivativeCount - 1 - k][i];
            }
            out[i] = sample[i] + acc;
        }
        return out;
    }

    /** A buffer for the newest derivative, dropping the oldest beyond MAX_ORDER. */
    private float[] nextDerivativeBuffer(int n) {
        float[] slot;
        if (derivativeCount < MAX_ORDER) {
            slot = derivatives[derivativeCount];
            if (slot == null || slot.length != n) {
                slot = new float[n];
            }
            derivatives[derivativeCount++] = slot;
        } else {
            slot = derivatives[0];
            System.arraycopy(derivatives, 1, derivatives, 0, MAX_ORDER - 1);
            derivatives[MAX_ORDER - 1] = slot;
        }
        return slot;
    }
}
