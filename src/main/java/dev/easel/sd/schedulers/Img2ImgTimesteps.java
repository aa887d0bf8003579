package dev.easel.sd.schedulers;

import java.util.Arrays;
import java.util.Objects;

/**
 * The tail of a schedule that an img2img run denoises (StableDiffusionImg2ImgPipeline.get_timesteps).
 *
 * @param tStart       numInferenceSteps - min(floor(numInferenceSteps * strength), numInferenceSteps)
 * @param beginIndex   tStart * order: the first step index to run; also where to add noise
 * @param timesteps    timesteps()[beginIndex:], one UNet call each
 * @param stepsToRun   numInferenceSteps - tStart (what the reference pipeline reports for progress)
 */
public record Img2ImgTimesteps(int tStart, int beginIndex, float[] timesteps, int stepsToRun) {
    public Img2ImgTimesteps {
        timesteps = timesteps.clone();
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    /** Whether there is nothing to denoise (strength too small for one step). */
    public boolean isEmpty() {
        return timesteps.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Img2ImgTimesteps other && tStart == other.tStart && beginIndex == other.beginIndex
                && stepsToRun == other.stepsToRun && Arrays.equals(timesteps, other.timesteps);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(tStart, beginIndex, stepsToRun) + Arrays.hashCode(timesteps);
    }

    @Override
    public String toString() {
        return "Img2ImgTimesteps[tStart=" + tStart + ", beginIndex=" + beginIndex + ", timesteps="
                + Arrays.toString(timesteps) + ", stepsToRun=" + stepsToRun + "]";
    }
}
