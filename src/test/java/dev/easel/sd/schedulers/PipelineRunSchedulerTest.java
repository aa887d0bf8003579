package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schedulers inside real diffusers pipeline runs (golden pipeline_runs: tiny SD 1.x, batch
 * of 4 candidates, classifier-free guidance 7.5, 10 steps): replaying the stored UNet outputs
 * through our scheduler reproduces the stored latents after every step.
 */
class PipelineRunSchedulerTest {
    private static final float GUIDANCE = 7.5f;

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"txt2img_ddim, ddim", "txt2img_euler, euler", "txt2img_pndm, pndm"})
    void replaysTextToImageRuns(String run, String sampler) throws IOException {
        // given: the SD 1.5 scheduler config the runs were built from and the stored UNet outputs
        Path dir = Golden.path("pipeline_runs/" + run);
        JsonConfig base = JsonConfig.read(Golden.path("real-checkpoints/sd15/scheduler/scheduler_config.json"));
        try (SafetensorsFile g = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            float[][] unet = rows(g, "unet_outputs");
            float[][] expected = rows(g, "step_latents");
            Scheduler s = Schedulers.create(sampler, base);
            s.setTimesteps(10);
            assertArrayEquals(timesteps(g), s.timesteps(), run + " timesteps");

            // when: latents_in * init_noise_sigma are stepped with the guided noise predictions
            float[] x = g.readFloats("latents_in");
            float sigma = s.initNoiseSigma();
            for (int i = 0; i < x.length; i++) {
                x[i] *= sigma;
            }
            double err = 0;
            for (int i = 0; i < s.timesteps().length; i++) {
                x = s.step(guided(unet[i]), i, x, null);
                err = Math.max(err, Golden.maxAbsDiff(x, expected[i]));
            }

            // then: every step's latents match
            assertTrue(err <= 1e-4, run + ": max latent error " + err);
            System.out.printf("pipeline run %s: max latent error %.3e%n", run, err);
        }
    }

    @Test
    void replaysImageToImageRunAtStrength06() throws IOException {
        // given: the DDIM img2img run (strength 0.6, 10 steps)
        Path dir = Golden.path("pipeline_runs/img2img_ddim");
        JsonConfig base = JsonConfig.read(Golden.path("real-checkpoints/sd15/scheduler/scheduler_config.json"));
        try (SafetensorsFile g = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            Scheduler s = Schedulers.create("ddim", base);
            s.setTimesteps(10);

            // when: the img2img part of the schedule is taken
            Img2ImgTimesteps plan = s.img2imgTimesteps(0.6);

            // then: it is the run's, and stepping on from each stored latent gives the next one
            assertArrayEquals(timesteps(g), plan.timesteps());
            assertEquals(4, plan.tStart());
            assertEquals(4, plan.beginIndex());
            assertEquals(6, plan.stepsToRun());
            float[][] unet = rows(g, "unet_outputs");
            float[][] expected = rows(g, "step_latents");
            double err = 0;
            for (int k = 1; k < expected.length; k++) {
                Scheduler fresh = Schedulers.create("ddim", base); // DDIM keeps no history: any step can start a run
                fresh.setTimesteps(10);
                float[] next = fresh.step(guided(unet[k]), plan.beginIndex() + k, expected[k - 1], null);
                err = Math.max(err, Golden.maxAbsDiff(next, expected[k]));
            }
            assertTrue(err <= 1e-4, "img2img max latent error " + err);
        }
    }

    /** noise = uncond + g * (cond - uncond) over the batch; rows [0:B] unconditional, [B:2B] conditional. */
    private static float[] guided(float[] both) {
        int half = both.length / 2;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) {
            float uncond = both[i];
            out[i] = uncond + GUIDANCE * (both[half + i] - uncond);
        }
        return out;
    }

    private static float[] timesteps(SafetensorsFile g) throws IOException {
        float[] f;
        if (g.info("step_timesteps").dtype() == dev.easel.sd.weights.DType.I64) {
            long[] l = g.readLongs("step_timesteps");
            f = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                f[i] = l[i];
            }
        } else {
            f = g.readFloats("step_timesteps");
        }
        return f;
    }

    private static float[][] rows(SafetensorsFile g, String name) throws IOException {
        float[] all = g.readFloats(name);
        int k = (int) g.info(name).shape()[0];
        int size = all.length / k;
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(all, i * size, (i + 1) * size);
        }
        return out;
    }
}
