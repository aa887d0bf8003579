package dev.easel.sd.schedulers;

import java.util.function.Supplier;

/**
 * A diffusion sampler: the timestep schedule of one denoising run and the update from one
 * noise level to the next, as diffusers' {@code SchedulerMixin} classes do it, over latents
 * flattened to {@code float[]} (a batch {@code [B, C, H, W]} in row-major order; every
 * operation is element-wise, so any batch size works and all candidates step together).
 *
 * <p>An instance holds the state of ONE run (multistep history, step position): create one per
 * job (see {@link Schedulers#create}), call {@link #setTimesteps}, then for each
 * {@code i} in {@code beginIndex .. timesteps().length - 1}:
 * <pre>
 *   xin = scaleModelInput(x, i);                  // what the UNet sees
 *   eps = unet(xin, timesteps()[i], text);        // with guidance applied
 *   x   = step(eps, i, x, noise);                 // x_{t_i} -> x_{t_{i+1}}
 * </pre>
 * Steps must run in order, each index once. Nothing here draws random numbers: a stochastic
 * sampler asks {@code noise} for one standard-normal array the size of the sample per step,
 * so the caller decides the generator (e.g. one torch-compatible stream per candidate).
 * Instances are not thread-safe.
 */
public interface Scheduler {

    /** diffusers' class name of the algorithm, e.g. {@code DPMSolverMultistepScheduler}. */
    String className();

    /** What the model predicts: noise (epsilon), velocity (v_prediction) or the clean sample. */
    PredictionType predictionType();

    /**
     * diffusers' scheduler order: how many entries of {@link #timesteps()} one step of the method
     * spans (img2img multiplies its start by it). 1 for every sampler here.
     */
    int order();

    /** Whether {@link #step} consumes noise (then {@code noise} must not be null). */
    boolean isStochastic();

    /**
     * Prepares a run of {@code numInferenceSteps} denoising steps (diffusers' {@code set_timesteps}),
     * resetting all run state. Must be between 1 and num_train_timesteps.
     */
    void setTimesteps(int numInferenceSteps);

    /** The {@code numInferenceSteps} of the last {@link #setTimesteps} call. */
    int numInferenceSteps();

    /**
     * The UNet timesteps of this run, one per call of {@link #step} (PLMS repeats one, so it has
     * numInferenceSteps + 1). Integer-valued for DDIM, PNDM, DPM-Solver and UniPC.
     */
    float[] timesteps();

    /**
     * The noise levels sigma_i of this run (timesteps().length + 1 values ending in the final
     * sigma), or an empty array for samplers that work with alphas (DDIM, PNDM).
     */
    float[] sigmas();

    /** Standard deviation of the initial noise: multiply unit-variance latents by this. */
    float initNoiseSigma();

    /** The model input for step {@code stepIndex}: the sample, or sample / sqrt(sigma^2 + 1) for sigma-space samplers. */
    float[] scaleModelInput(float[] sample, int stepIndex);

    /**
     * One denoising step: from {@code sample} at {@code timesteps()[stepIndex]} and the model's
     * prediction to the sample at the next noise level. Returns a new array.
     *
     * @param noise supplies standard-normal noise shaped like {@code sample} when
     *              {@link #isStochastic()}; may be null otherwise
     */
    float[] step(float[] modelOutput, int stepIndex, float[] sample, Supplier<float[]> noise);

    /**
     * Forward diffusion of a clean sample to the noise level of {@code timesteps()[stepIndex]}
     * (diffusers' {@code add_noise} with that timestep for every batch entry).
     */
    float[] addNoise(float[] original, float[] noise, int stepIndex);

    /**
     * img2img: the part of the schedule that denoises from {@code strength} (0..1] of the way
     * up, as StableDiffusionImg2ImgPipeline.get_timesteps does; it also sets the begin index so
     * the first {@link #step} must be {@code beginIndex}. Call after {@link #setTimesteps}.
     */
    Img2ImgTimesteps img2imgTimesteps(double strength);
}
