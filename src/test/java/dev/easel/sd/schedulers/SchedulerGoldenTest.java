package dev.easel.sd.schedulers;

import ai.djl.util.JsonUtils;
import dev.easel.sd.weights.DType;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scheduler trajectory of the golden data (diffusers 0.30.3), reproduced number for number:
 * for each sampler and prediction type, N = 10, 20, 25, 50 steps: timesteps, sigmas,
 * init_noise_sigma, model inputs, every intermediate sample, and the img2img runs at strengths
 * 0.3, 0.6, 0.75 (timesteps, add_noise, trajectory). The model is the stand-in
 * model_output = 0.3 * x_in + 0.1 sin(t / 100). Schedulers are built the way users get them:
 * {@link Schedulers#create} from the SD 1.5 (epsilon) or SD 2.1 (v-prediction) scheduler config.
 */
class SchedulerGoldenTest {
    /** float32 tolerance for samples (see golden README: float64 reruns differ by up to 4.7e-6). */
    private static final double TOL = 1e-4;
    private static final int[] STEP_COUNTS = {10, 20, 25, 50};
    private static final String[] STRENGTHS = {"0.3", "0.6", "0.75"};
    private static final Map<String, double[]> MAX_ERRORS = new TreeMap<>();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "ddim-epsilon", "ddim-v_prediction",
        "pndm_plms-epsilon", "pndm_plms-v_prediction",
        "euler-epsilon", "euler-v_prediction",
        "euler_ancestral-epsilon", "euler_ancestral-v_prediction",
        "dpmpp_2m-epsilon", "dpmpp_2m-v_prediction",
        "dpmpp_2m_karras-epsilon", "dpmpp_2m_karras-v_prediction",
        "lms-epsilon", "lms-v_prediction",
        "unipc-epsilon", "unipc-v_prediction"})
    void reproducesEveryTrajectory(String dirName) throws IOException {
        // given: the golden directory, the model's original scheduler config and the resolved one
        Path dir = Golden.path("schedulers/" + dirName);
        String sampler = dirName.substring(0, dirName.indexOf('-'));
        boolean v = dirName.endsWith("v_prediction");
        JsonConfig base = JsonConfig.read(Golden.path(
                "real-checkpoints/" + (v ? "sd21" : "sd15") + "/scheduler/scheduler_config.json"));
        JsonConfig resolved = JsonConfig.read(dir.resolve("scheduler_config.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("golden.json")), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> steps = (Map<String, Map<String, Object>>) json.get("steps");

        Errors err = new Errors();
        try (SafetensorsFile g = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            float[] initNoise = g.readFloats("init_noise");
            float[] original = g.readFloats("img2img.original");
            float[] img2imgNoise = g.readFloats("img2img.noise");

            // then: the training schedule matches
            AbstractScheduler probe = (AbstractScheduler) Schedulers.create(sampler, base);
            err.table = Math.max(err.table, Golden.maxAbsDiff(probe.alphasCumprod(), g.readFloats("alphas_cumprod")));
            assertEquals(json.get("class"), probe.className());
            assertEquals(json.get("prediction_type"), probe.predictionType().configName());

            for (int n : STEP_COUNTS) {
                String p = "n" + n + ".";
                Map<String, Object> meta = steps.get(String.valueOf(n));

                // when: a full run from pure noise
                Scheduler s = Schedulers.create(sampler, base);
                s.setTimesteps(n);

                // then: the schedule equals the golden one, and the resolved config gives the same
                float[] ts = s.timesteps();
                assertArrayEquals(readTimesteps(g, p + "timesteps"), ts, dirName + " " + p + "timesteps");
                Scheduler direct = Schedulers.fromConfig(resolved);
                direct.setTimesteps(n);
                assertArrayEquals(ts, direct.timesteps(), "resolved config timesteps");
                assertArrayEquals(s.sigmas(), direct.sigmas(), "resolved config sigmas");
                if (g.contains(p + "sigmas")) {
                    err.table = Math.max(err.table, Golden.maxAbsDiff(s.sigmas(), g.readFloats(p + "sigmas")));
                } else {
                    assertEquals(0, s.sigmas().length, "no sigmas for " + s.className());
                }
                float initSigma = g.readFloats(p + "init_noise_sigma")[0];
                err.table = Math.max(err.table, Math.abs(s.initNoiseSigma() - initSigma));
                assertEquals(((Number) meta.get("order")).intValue(), s.order());

                float[] x = new float[initNoise.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = initNoise[i] * s.initNoiseSigma();
                }
                float[][] samples = slices(g, p + "samples");
                float[][] scaled = g.contains(p + "scaled_inputs") ? slices(g, p + "scaled_inputs") : null;
                float[][] stepNoise = g.contains(p + "step_noise") ? slices(g, p + "step_noise") : null;
                double[] lms = g.contains(p + "lms_coefficients") ? g.readDoubles(p + "lms_coefficients") : null;
                int[] noiseIndex = ints(meta.get("step_noise_index"));
                err.sample = Math.max(err.sample, Golden.maxAbsDiff(x, samples[0]));
                for (int i = 0; i < ts.length; i++) {
                    if (lms != null) {
                        double[] c = ((LMSDiscreteScheduler) s).lmsCoefficients(i);
                        for (int k = 0; k < 4; k++) {
                            err.coefficient = Math.max(err.coefficient, Math.abs(c[k] - lms[4 * i + k]));
                        }
                    }
                    x = runStep(s, i, x, scaled == null ? null : scaled[i], stepNoise, noiseIndex, i, err);
                    err.sample = Math.max(err.sample, Golden.maxAbsDiff(x, samples[i + 1]));
                }
                assertEquals(samples.length, ts.length + 1, "one sample per step");

                // when: img2img runs continue from add_noise at the strength's begin index
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> img = (Map<String, Map<String, Object>>) meta.get("img2img");
                for (String strength : STRENGTHS) {
                    String q = p + "img2img_s" + strength + ".";
                    Map<String, Object> im = img.get(strength);
                    Scheduler r = Schedulers.create(sampler, base);
                    r.setTimesteps(n);
                    Img2ImgTimesteps plan = r.img2imgTimesteps(Double.parseDouble(strength));
                    assertArrayEquals(readTimesteps(g, q + "timesteps"), plan.timesteps(), dirName + " " + q + "timesteps");
                    assertEquals(((Number) im.get("t_start")).intValue(), plan.tStart(), q + "t_start");
                    assertEquals(((Number) im.get("begin_index")).intValue(), plan.beginIndex(), q + "begin_index");
                    assertEquals(((Number) im.get("num_steps_run")).intValue(), plan.stepsToRun(), q + "num_steps_run");

                    float[] xi = r.addNoise(original, img2imgNoise, plan.beginIndex());
                    err.sample = Math.max(err.sample, Golden.maxAbsDiff(xi, g.readFloats(q + "add_noise")));
                    float[][] isamples = slices(g, q + "samples");
                    err.sample = Math.max(err.sample, Golden.maxAbsDiff(xi, isamples[0]));
                    float[][] inoise = g.contains(q + "step_noise") ? slices(g, q + "step_noise") : null;
                    int[] iNoiseIndex = ints(im.get("step_noise_index"));
                    float[] tsAll = r.timesteps();
                    for (int k = 0; k < plan.timesteps().length; k++) {
                        int i = plan.beginIndex() + k;
                        assertEquals(plan.timesteps()[k], tsAll[i]);
                        xi = runStep(r, i, xi, null, inoise, iNoiseIndex, k, err);
                        err.sample = Math.max(err.sample, Golden.maxAbsDiff(xi, isamples[k + 1]));
                    }
                    assertEquals(isamples.length, plan.timesteps().length + 1, q + "one sample per step");
                }
            }
        }
        synchronized (MAX_ERRORS) {
            MAX_ERRORS.put(dirName, new double[] {err.sample, err.scaled, err.table, err.coefficient});
        }
        assertTrue(err.sample <= TOL, dirName + ": max sample error " + err.sample);
        assertTrue(err.scaled <= TOL, dirName + ": max scaled-input error " + err.scaled);
        assertTrue(err.table <= 1e-6, dirName + ": max table error (alphas_cumprod, sigmas) " + err.table);
        assertTrue(err.coefficient <= 1e-6, dirName + ": max LMS coefficient error " + err.coefficient);
    }

    /** One pipeline-style step with the golden stand-in model; checks the model input if given. */
    private static float[] runStep(Scheduler s, int i, float[] x, float[] expectedScaled, float[][] stepNoise,
                                   int[] noiseIndex, int k, Errors err) {
        float[] xin = s.scaleModelInput(x, i);
        if (expectedScaled != null) {
            err.scaled = Math.max(err.scaled, Golden.maxAbsDiff(xin, expectedScaled));
        }
        float t = s.timesteps()[i];
        // model_output = 0.3 * x_in + c(t), c computed in double and added to the float32 tensor
        float c = (float) (0.1 * Math.sin((double) t / 100.0));
        float[] mo = new float[xin.length];
        for (int e = 0; e < mo.length; e++) {
            mo[e] = 0.3f * xin[e] + c;
        }
        int[] drawn = {0};
        Supplier<float[]> noise = () -> {
            drawn[0]++;
            int d = noiseIndex[k];
            assertTrue(d >= 0, "step " + k + " consumed noise the reference did not draw");
            return stepNoise[d].clone();
        };
        float[] next = s.step(mo, i, x, noise);
        if (s.isStochastic()) {
            assertEquals(1, drawn[0], "a stochastic step consumes exactly one noise draw");
        } else {
            assertEquals(0, drawn[0], "a deterministic step draws no noise");
        }
        return next;
    }

    private static float[] readTimesteps(SafetensorsFile g, String name) throws IOException {
        if (g.info(name).dtype() == DType.I64) {
            long[] l = g.readLongs(name);
            float[] f = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                f[i] = l[i];
            }
            return f;
        }
        return g.readFloats(name);
    }

    /** The rows of a [K, ...] tensor. */
    private static float[][] slices(SafetensorsFile g, String name) throws IOException {
        float[] all = g.readFloats(name);
        int k = (int) g.info(name).shape()[0];
        int size = all.length / k;
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(all, i * size, (i + 1) * size);
        }
        return out;
    }

    private static int[] ints(Object list) {
        if (list == null) {
            return new int[0];
        }
        return ((List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    private static final class Errors {
        double sample;
        double scaled;
        double table;
        double coefficient;
    }

    @AfterAll
    static void printMaxErrors() {
        StringBuilder sb = new StringBuilder("\nscheduler golden parity (max abs error)\n");
        sb.append(String.format("%-30s %12s %12s %12s %12s%n", "case", "samples", "scaled_in", "tables", "lms_coef"));
        MAX_ERRORS.forEach((k, e) -> sb.append(String.format("%-30s %12.3e %12.3e %12.3e %12.3e%n",
                k, e[0], e[1], e[2], e[3])));
        System.out.print(sb);
    }
}
