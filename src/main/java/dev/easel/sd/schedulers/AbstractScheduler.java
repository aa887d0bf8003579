package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * What every scheduler shares: the config keys common to all diffusers schedulers, the
 * training schedule (betas and cumulative alphas), the run's timesteps and the bookkeeping that
 * makes steps run in order from the begin index.
 */
abstract class AbstractScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final int numTrainTimesteps;
    protected final PredictionType predictionType;
    protected final String timestepSpacing;
    protected final int stepsOffset;
    /** alpha_bar_t = prod_{s<=t} (1 - beta_s), t = 0 .. num_train_timesteps - 1. */
    protected final float[] alphasCumprod;

    /** The run's UNet timesteps; null until setTimesteps. */
    protected float[] timesteps;
    protected int numInferenceSteps;
    /** The step img2img starts at (-1: none set, the first step may be any index). */
    private int beginIndex = -1;
    /** The last step index run (-1: none yet in this run). */
    private int lastStep = -1;
    /** The sample size of this run, fixed by its first step. */
    private int runLength = -1;

    /**
     * @param predictionTypes the prediction types this class supports (prediction_type, default epsilon, must be one)
     * @param defaultSpacing  this class's timestep_spacing default (used when the key is absent)
     * @param rescaleAllowed  whether the class offers rescale_betas_zero_snr
     */
    AbstractScheduler(JsonConfig json, String className, String defaultSpacing, boolean rescaleAllowed,
                      PredictionType... predictionTypes) {
        this.config = new SchedulerConfig(json, className);
        this.numTrainTimesteps = config.integer("num_train_timesteps", 1000, 2);
        String[] names = new String[predictionTypes.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = predictionTypes[i].configName();
        }
        String prediction = config.choice("prediction_type", "epsilon", names);
        this.predictionType = Arrays.stream(predictionTypes)
                .filter(p -> p.configName().equals(prediction)).findFirst().orElseThrow();
        this.timestepSpacing = config.choice("timestep_spacing", defaultSpacing, "linspace", "leading", "trailing");
        this.stepsOffset = config.integer("steps_offset", 0, 0);
        float[] betas = SchedulerMath.betas(config, numTrainTimesteps, rescaleAllowed);
        this.alphasCumprod = SchedulerMath.alphasCumprod(betas);
    }

    @Override
    public final String className() {
        return config.className();
    }

    @Override
    public final PredictionType predictionType() {
        return predictionType;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public boolean isStochastic() {
        return false;
    }

    @Override
    public final void setTimesteps(int n) {
        if (n < 1 || n > numTrainTimesteps) {
            throw new IllegalArgumentException(className() + ": number of inference steps must be between 1 and "
                    + numTrainTimesteps + " (num_train_timesteps), got " + n);
        }
        numInferenceSteps = n;
        beginIndex = -1;
        lastStep = -1;
        runLength = -1;
        computeSchedule(n);
    }

    /** Fills {@link #timesteps} (and sigmas where the class has them) and resets run state. */
    protected abstract void computeSchedule(int n);

    @Override
    public final int numInferenceSteps() {
        requireTimesteps();
        return numInferenceSteps;
    }

    @Override
    public final float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return new float[0];
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        return sample.clone();
    }

    @Override
    public final Img2ImgTimesteps img2imgTimesteps(double strength) {
        requireTimesteps();
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("img2img strength must be between 0 and 1, got " + strength);
        }
        if (lastStep >= 0) {
            throw new IllegalStateException(className() + ": img2imgTimesteps must be called before the first step");
        }
        int n = numInferenceSteps;
        int initTimestep = Math.min((int) (n * strength), n);
        int tStart = Math.max(n - initTimestep, 0);
        int begin = Math.min(tStart * order(), timesteps.length);
        beginIndex = begin;
        return new Img2ImgTimesteps(tStart, begin, Arrays.copyOfRange(timesteps, begin, timesteps.length),
                n - tStart);
    }

    @Override
    public final float[] step(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        if (modelOutput.length != sample.length || sample.length == 0) {
            throw new IllegalArgumentException(className() + ": model output has " + modelOutput.length
                    + " values but the sample has " + sample.length);
        }
        if (lastStep < 0 && beginIndex >= 0 && stepIndex != beginIndex) {
            throw new IllegalStateException(className() + ": this img2img run begins at step " + beginIndex
                    + ", got step " + stepIndex);
        }
        if (lastStep >= 0 && stepIndex != lastStep + 1) {
            throw new IllegalStateException(className() + ": steps must run in order; step " + stepIndex
                    + " after step " + lastStep + " (call setTimesteps to start a new run)");
        }
        if (lastStep >= 0 && sample.length != runLength) {
            throw new IllegalArgumentException(className() + ": the sample has " + sample.length
                    + " values but this run started with " + runLength);
        }
        if (isStochastic() && noise == null) {
            throw new IllegalArgumentException(className() + " draws noise at every step: pass a noise supplier");
        }
        float[] out = doStep(modelOutput, stepIndex, sample, noise);
        lastStep = stepIndex;
        runLength = sample.length;
        return out;
    }

    /** The step itself; arguments are validated and the order of steps checked. */
    protected abstract float[] doStep(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise);

    /** Noise for a stochastic step, checked to have the sample's size. */
    protected final float[] drawNoise(Supplier<float[]> noise, int length) {
        float[] n = noise.get();
        if (n == null || n.length != length) {
            throw new IllegalArgumentException(className() + ": the noise supplier gave "
                    + (n == null ? "null" : n.length + " values") + ", the sample has " + length);
        }
        return n;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        requireTimesteps();
        SchedulerMath.checkIndex(stepIndex, timesteps.length, className() + ": step index");
        checkSameLength(original, noise);
        // x_t = sqrt(alpha_bar_t) * x_0 + sqrt(1 - alpha_bar_t) * eps, float32 like the reference
        int t = (int) timesteps[stepIndex];
        float a = alphasCumprod[t];
        float sqrtAlpha = (float) Math.sqrt(a);
        float sqrtOneMinusAlpha = (float) Math.sqrt(1f - a);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sqrtAlpha * original[i] + sqrtOneMinusAlpha * noise[i];
        }
        return out;
    }

    protected final void checkSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(className() + ": arrays differ in size: " + a.length + " vs " + b.length);
        }
    }

    protected final void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException(className() + ": call setTimesteps(n) first");
        }
    }

    /** The training-schedule table alpha_bar_t (a copy). */
    public final float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    // ---------------------------------------------------------------- timestep spacings

    /**
     * Integer timesteps, descending, per timestep_spacing (Table 2 of Lin et al. 2023):
     * linspace: round(linspace(0, T - 1, n)); leading: arange(n) * (T // n) + steps_offset;
     * trailing: round(arange(T, 0, -T / n)) - 1.
     */
    protected final long[] integerTimesteps(int n) {
        long[] out = new long[n];
        switch (timestepSpacing) {
            case "linspace" -> {
                double[] v = SchedulerMath.npLinspace(0, numTrainTimesteps - 1, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (long) Math.rint(v[n - 1 - i]);
                }
            }
            case "leading" -> {
                long ratio = numTrainTimesteps / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (n - 1 - i) * ratio + stepsOffset;
                }
            }
            default -> out = trailing(numTrainTimesteps, (double) numTrainTimesteps / n);
        }
        return out;
    }

    /** round(arange(start, 0, -ratio)) - 1 (n values, or one more where the division rounds up). */
    protected static long[] trailing(double start, double ratio) {
        double[] v = SchedulerMath.npArange(start, 0, -ratio);
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) Math.rint(v[i]) - 1;
        }
        return out;
    }

    /**
     * Float timesteps of the sigma-space samplers (Euler, Euler ancestral, LMS), descending:
     * linspace in float64 rounded to float32; leading and trailing as integers, in float32.
     */
    protected final float[] floatTimesteps(int n) {
        float[] out = new float[n];
        switch (timestepSpacing) {
            case "linspace" -> {
                double[] v = SchedulerMath.npLinspace(0, numTrainTimesteps - 1, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (float) v[n - 1 - i];
                }
            }
            case "leading" -> {
                long ratio = numTrainTimesteps / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (float) ((n - 1 - i) * ratio) + stepsOffset;
                }
            }
            default -> {
                out = toFloats(trailing(numTrainTimesteps, (double) numTrainTimesteps / n));
            }
        }
        return out;
    }

    protected static float[] toFloats(long[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return className() + "(prediction_type=" + predictionType.configName() + ", timestep_spacing="
                + timestepSpacing + ", steps=" + (timesteps == null ? "unset" : numInferenceSteps) + ")";
    }
}
