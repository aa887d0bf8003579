package dev.easel.sd.schedulers;

import ai.djl.util.JsonUtils;
import dev.easel.sd.weights.JsonConfig;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configurations beyond the main goldens (golden/scheduler-variants, made by its generate.py with
 * diffusers 0.30.3 on torch 1.13 / numpy 1.24 like the rest): other timestep spacings, beta
 * schedules, trained betas, zero-SNR rescaling, clipping, Karras/Lu sigmas and carried sigma
 * ranges, final sigma types, continuous timesteps, solver orders 1-3, solver types, DPM-Solver
 * (non-++), SDE variants with injected noise, UniPC noise prediction and disabled correctors;
 * each for 6, 17 and 30 steps plus img2img at strength 0.5, on a batch of two candidates.
 * Schedulers are built with {@link Schedulers#fromConfig} from the base config plus the case's keys.
 */
class SchedulerVariantGoldenTest {
    private static final Path DIR = Golden.path("scheduler-variants");
    private static final Map<String, Double> MAX_ERRORS = new TreeMap<>();
    private static Map<String, Object> root;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        root = JsonUtils.GSON.fromJson(Files.readString(DIR.resolve("cases.json")), Map.class);
    }

    @SuppressWarnings("unchecked")
    static List<String> cases() throws IOException {
        Map<String, Object> r = JsonUtils.GSON.fromJson(Files.readString(DIR.resolve("cases.json")), Map.class);
        return ((List<Map<String, Object>>) r.get("cases")).stream().map(c -> (String) c.get("name")).toList();
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reproducesTheVariant(String name) throws IOException {
        // given: the case's config: the model's file, keys carried from another class's file, overrides
        Map<String, Object> c = ((List<Map<String, Object>>) root.get("cases")).stream()
                .filter(m -> name.equals(m.get("name"))).findFirst().orElseThrow();
        String base = (String) c.get("base");
        Map<String, Object> values = new LinkedHashMap<>(JsonConfig.read(
                Golden.path("real-checkpoints/" + base + "/scheduler/scheduler_config.json")).asMap());
        values.putAll((Map<String, Object>) c.get("carried"));
        values.putAll((Map<String, Object>) c.get("overrides"));
        values.put("_class_name", c.get("class"));
        JsonConfig config = new JsonConfig(name, values);
        Map<String, Map<String, Object>> steps = (Map<String, Map<String, Object>>) c.get("steps");
        double strength = ((Number) root.get("strength")).doubleValue();

        double err = 0;
        try (SafetensorsFile g = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            float[] initNoise = g.readFloats("init_noise");
            float[] original = g.readFloats("img2img.original");
            float[] imgNoise = g.readFloats("img2img.noise");
            for (Map.Entry<String, Map<String, Object>> e : steps.entrySet()) {
                int n = Integer.parseInt(e.getKey());
                Map<String, Object> meta = e.getValue();
                String p = name + ".n" + n + ".";

                // when: a full run
                Scheduler s = Schedulers.fromConfig(config);
                assertEquals(c.get("class"), s.className());
                s.setTimesteps(n);

                // then: schedule, initial sigma and every sample match
                assertTimesteps(g.readFloats(p + "timesteps"), s.timesteps(), p + "timesteps");
                if (g.contains(p + "sigmas")) {
                    float[] sigmas = g.readFloats(p + "sigmas");
                    assertTrue(Golden.maxAbsDiff(sigmas, s.sigmas()) <= 1e-6 * Golden.maxAbs(sigmas), p + "sigmas");
                }
                float initSigma = ((Number) meta.get("init_noise_sigma")).floatValue();
                assertEquals(initSigma, s.initNoiseSigma(), 1e-6 * initSigma, p + "init_noise_sigma");
                float[] x = new float[initNoise.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = initNoise[i] * s.initNoiseSigma();
                }
                err = Math.max(err, run(s, 0, x, rows(g, p + "samples"), g, p + "step_noise"));

                // and: the img2img run from add_noise at the begin index
                Scheduler r = Schedulers.fromConfig(config);
                r.setTimesteps(n);
                Img2ImgTimesteps plan = r.img2imgTimesteps(strength);
                assertEquals(((Number) meta.get("t_start")).intValue(), plan.tStart(), p + "t_start");
                assertEquals(((Number) meta.get("begin_index")).intValue(), plan.beginIndex(), p + "begin_index");
                assertEquals(((Number) meta.get("img2img_steps")).intValue(), plan.timesteps().length);
                float[] xi = r.addNoise(original, imgNoise, plan.beginIndex());
                err = Math.max(err, run(r, plan.beginIndex(), xi, rows(g, p + "img2img.samples"), g,
                        p + "img2img.step_noise"));
            }
        }
        synchronized (MAX_ERRORS) {
            MAX_ERRORS.put(name, err);
        }
        assertTrue(err <= 1e-4, name + ": max sample error " + err);
    }

    /** Steps from {@code begin} to the end, comparing with samples[1..]; returns the max error. */
    private static double run(Scheduler s, int begin, float[] x, float[][] samples, SafetensorsFile g, String noiseName)
            throws IOException {
        float[][] noise = g.contains(noiseName) ? rows(g, noiseName) : new float[0][];
        int[] used = {0};
        Supplier<float[]> supplier = () -> noise[used[0]++].clone();
        double err = diff(x, samples[0]);
        float[] ts = s.timesteps();
        assertEquals(samples.length - 1, ts.length - begin, "one sample per step");
        for (int i = begin; i < ts.length; i++) {
            float[] xin = s.scaleModelInput(x, i);
            float c = (float) (0.1 * Math.sin((double) ts[i] / 100.0));
            float[] mo = new float[xin.length];
            for (int k = 0; k < mo.length; k++) {
                mo[k] = 0.3f * xin[k] + c;
            }
            x = s.step(mo, i, x, supplier);
            err = Math.max(err, diff(x, samples[i - begin + 1]));
        }
        // the reference's Euler draws (and discards) noise every step; stochastic samplers use each draw once
        assertEquals(s.isStochastic() ? noise.length : 0, used[0], "noise draws consumed");
        return err;
    }

    /**
     * Max |actual - expected| over the entries the reference computed; where the reference has
     * NaN (UniPC bh1's last step onto a zero sigma: -inf * 0) ours must be finite.
     */
    private static double diff(float[] actual, float[] expected) {
        double m = 0;
        for (int i = 0; i < actual.length; i++) {
            assertTrue(Float.isFinite(actual[i]), "finite output at " + i);
            if (!Float.isNaN(expected[i])) {
                m = Math.max(m, Math.abs((double) actual[i] - expected[i]));
            }
        }
        return m;
    }

    /**
     * Integer timesteps exactly; fractional ones (Karras sigmas mapped back to t through numpy's
     * float32 log) to within 4 units in the last place.
     */
    private static void assertTimesteps(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " count");
        for (int i = 0; i < expected.length; i++) {
            float tol = expected[i] == Math.rint(expected[i]) ? 0f : 4 * Math.ulp(expected[i]);
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
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

    @AfterAll
    static void printMaxErrors() {
        StringBuilder sb = new StringBuilder("\nscheduler variants (max abs sample error)\n");
        MAX_ERRORS.forEach((k, v) -> sb.append(String.format("%-36s %10.3e%n", k, v)));
        System.out.print(sb);
    }
}
