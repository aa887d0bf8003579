package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler factory, config handling, bad input and the per-run contract of every scheduler. */
class SchedulersTest {

    private static JsonConfig sd15() throws IOException {
        return JsonConfig.read(Golden.path("real-checkpoints/sd15/scheduler/scheduler_config.json"));
    }

    private static JsonConfig config(Map<String, Object> values) {
        return new JsonConfig("test-config", values);
    }

    private static Map<String, Object> sd15Values() throws IOException {
        return new LinkedHashMap<>(sd15().asMap());
    }

    static List<String> samplers() {
        return Schedulers.names();
    }

    // ---------------------------------------------------------------- factory

    @Test
    void offersTheEightSamplersByName() {
        assertEquals(List.of("ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "lms", "unipc"),
                Schedulers.names());
    }

    @Test
    void unknownSamplerIsRejectedListingTheAllowedNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create("heun", sd15()));
        assertTrue(e.getMessage().contains("unknown sampler 'heun'"), e.getMessage());
        for (String name : Schedulers.names()) {
            assertTrue(e.getMessage().contains(name), "lists " + name + ": " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create("  ", sd15()));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create(null, sd15()));
    }

    @Test
    void namesAreCaseInsensitiveAndCommonAliasesWork() throws IOException {
        assertInstanceOf(EulerAncestralDiscreteScheduler.class, Schedulers.create("Euler_A", sd15()));
        assertInstanceOf(EulerAncestralDiscreteScheduler.class, Schedulers.create("euler_ancestral", sd15()));
        assertInstanceOf(PNDMScheduler.class, Schedulers.create("PLMS", sd15()));
        assertInstanceOf(DPMSolverMultistepScheduler.class, Schedulers.create("dpmpp-2m-karras", sd15()));
        assertEquals("lms", Schedulers.canonicalName("k_lms"));
    }

    @Test
    void samplerNamesMapToTheirClassesWithTheirExtraConfig() throws IOException {
        // given: a config with DPM and PNDM settings the samplers must override
        Map<String, Object> v = sd15Values();
        v.put("algorithm_type", "dpmsolver");
        v.put("solver_order", 3);
        v.put("skip_prk_steps", false);
        v.put("final_sigmas_type", "sigma_min");
        JsonConfig c = config(v);

        // when / then: dpmpp_2m is DPM-Solver++ order 2; karras changes the sigmas; pndm skips PRK
        Scheduler plain = Schedulers.create("dpmpp_2m", c);
        Scheduler karras = Schedulers.create("dpmpp_2m_karras", c);
        plain.setTimesteps(10);
        karras.setTimesteps(10);
        assertEquals("DPMSolverMultistepScheduler", plain.className());
        assertEquals(plain.sigmas()[0], karras.sigmas()[0], 1e-6, "both start at sigma_max");
        assertNotEquals(plain.sigmas()[5], karras.sigmas()[5], "Karras spacing differs inside");
        assertNotEquals(plain.timesteps()[5], karras.timesteps()[5]);
        Scheduler pndm = Schedulers.create("pndm", c);
        pndm.setTimesteps(10);
        assertEquals(11, pndm.timesteps().length, "PLMS repeats one timestep");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PNDMScheduler(c));
        assertTrue(e.getMessage().contains("skip_prk_steps"), e.getMessage());
    }

    @Test
    void aTimestepSpacingSavedInTheConfigCarriesOverAsInDiffusers() throws IOException {
        // given: SD 1.5's original config (no timestep_spacing) and a PNDM config saved by diffusers 0.30 (leading)
        JsonConfig original = sd15();
        JsonConfig saved = JsonConfig.read(Golden.path("pipeline/scheduler/scheduler_config.json"));

        // when
        Scheduler fromOriginal = Schedulers.create("euler", original);
        Scheduler fromSaved = Schedulers.create("euler", saved);
        fromOriginal.setTimesteps(10);
        fromSaved.setTimesteps(10);

        // then: Euler's own default (linspace) vs the carried leading spacing with steps_offset 1
        assertEquals(999f, fromOriginal.timesteps()[0]);
        assertEquals(901f, fromSaved.timesteps()[0]);
        assertEquals(1f, fromSaved.timesteps()[9]);
        float max = fromSaved.sigmas()[0];
        assertEquals((float) Math.sqrt(max * max + 1f), fromSaved.initNoiseSigma(), "leading: sqrt(sigma_max^2 + 1)");
        assertEquals(fromOriginal.sigmas()[0], fromOriginal.initNoiseSigma(), "linspace: sigma_max");
    }

    @Test
    void keysListedAsUsedDefaultsAreIgnoredAndOverridesWin() throws IOException {
        // given: a saved config whose leading spacing was only its class's default
        Map<String, Object> v = sd15Values();
        v.put("timestep_spacing", "leading");
        v.put("_use_default_values", List.of("timestep_spacing"));

        // when
        Scheduler euler = Schedulers.create("euler", config(v));
        Scheduler trailing = Schedulers.create("euler", config(v), Map.of("timestep_spacing", "trailing"));
        euler.setTimesteps(10);
        trailing.setTimesteps(10);

        // then: Euler's default linspace; trailing = round(arange(1000, 0, -100)) - 1
        assertEquals(999f, euler.timesteps()[0]);
        assertEquals(888f, euler.timesteps()[1]);
        assertArrayEquals(new float[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, trailing.timesteps());
    }

    @Test
    void fromConfigBuildsTheClassTheConfigNames() throws IOException {
        assertInstanceOf(PNDMScheduler.class, Schedulers.fromConfig(sd15()));
        JsonConfig sd21 = JsonConfig.read(Golden.path("real-checkpoints/sd21/scheduler/scheduler_config.json"));
        Scheduler ddim = Schedulers.fromConfig(sd21);
        assertInstanceOf(DDIMScheduler.class, ddim);
        assertEquals(PredictionType.V_PREDICTION, ddim.predictionType());

        Map<String, Object> heun = sd15Values();
        heun.put("_class_name", "HeunDiscreteScheduler");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.fromConfig(config(heun)));
        assertTrue(e.getMessage().contains("HeunDiscreteScheduler is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("EulerDiscreteScheduler"), e.getMessage());
        Map<String, Object> none = sd15Values();
        none.remove("_class_name");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedulers.fromConfig(config(none)))
                .getMessage().contains("no _class_name"));
    }

    // ---------------------------------------------------------------- bad config values

    private static String rejected(String sampler, String key, Object value) throws IOException {
        Map<String, Object> v = sd15Values();
        v.put(key, value);
        return assertThrows(IllegalArgumentException.class, () -> Schedulers.create(sampler, config(v))).getMessage();
    }

    @Test
    void badConfigValuesAreReportedWithKeyValueAndAllowedValues() throws IOException {
        String m = rejected("ddim", "beta_schedule", "cosine");
        assertTrue(m.contains("test-config") && m.contains("DDIMScheduler") && m.contains("'beta_schedule'")
                && m.contains("'cosine'") && m.contains("linear, scaled_linear, squaredcos_cap_v2"), m);

        m = rejected("euler_a", "prediction_type", "sample");
        assertTrue(m.contains("'prediction_type'") && m.contains("epsilon, v_prediction"), m);
        m = rejected("pndm", "prediction_type", "sample");
        assertTrue(m.contains("PNDMScheduler") && m.contains("epsilon, v_prediction"), m);

        m = rejected("euler", "timestep_spacing", "uniform");
        assertTrue(m.contains("'timestep_spacing'") && m.contains("linspace, leading, trailing"), m);

        m = rejected("unipc", "num_train_timesteps", "many");
        assertTrue(m.contains("'num_train_timesteps'") && m.contains("many"), m);
        m = rejected("unipc", "num_train_timesteps", 1.5);
        assertTrue(m.contains("an integer"), m);

        m = rejected("ddim", "thresholding", true);
        assertTrue(m.contains("thresholding") && m.contains("not supported"), m);

        m = rejected("lms", "trained_betas", List.of(0.1, 0.2));
        assertTrue(m.contains("'trained_betas'") && m.contains("2 values") && m.contains("1000"), m);

        m = rejected("dpmpp_2m", "variance_type", "learned_range");
        assertTrue(m.contains("variance_type learned_range is not supported"), m);

        m = rejected("lms", "rescale_betas_zero_snr", true);
        assertTrue(m.contains("rescale_betas_zero_snr") && m.contains("LMSDiscreteScheduler"), m);

        m = rejected("euler", "beta_end", 1.5);
        assertTrue(m.contains("betas in [0, 1)"), m);

        m = rejected("unipc", "predict_x0", false);
        assertTrue(m.contains("predict_x0 = false needs final_sigmas_type sigma_min"), m);

        Map<String, Object> plain = sd15Values();
        plain.put("algorithm_type", "dpmsolver");
        m = assertThrows(IllegalArgumentException.class, () -> new DPMSolverMultistepScheduler(config(plain)))
                .getMessage();
        assertTrue(m.contains("final_sigmas_type zero is not supported with algorithm_type dpmsolver"), m);

        m = rejected("euler", "interpolation_type", "log_linear");
        assertTrue(m.contains("'interpolation_type'") && m.contains("'log_linear'"), m);
    }

    @Test
    void infinityWrittenByPythonJsonIsRead() throws IOException {
        // given: DPM-Solver's resolved config, which diffusers writes with lambda_min_clipped: -Infinity
        JsonConfig c = JsonConfig.read(Golden.path("schedulers/dpmpp_2m-epsilon/scheduler_config.json"));
        // when
        Scheduler s = Schedulers.fromConfig(c);
        s.setTimesteps(20);
        // then: no clipping, the schedule starts at the last training step
        assertEquals(999f, s.timesteps()[0]);
    }

    // ---------------------------------------------------------------- training schedules

    @Test
    void trainedBetasAndBetaSchedulesGiveTheExpectedTables() throws IOException {
        // given: the scaled_linear betas written out as trained_betas
        DDIMScheduler scaled = new DDIMScheduler(sd15());
        float[] ac = scaled.alphasCumprod();
        List<Double> betas = new ArrayList<>();
        double prev = 1;
        for (float a : ac) {
            betas.add(1 - a / prev); // beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}
            prev = a;
        }
        Map<String, Object> v = sd15Values();
        v.put("trained_betas", betas);
        float[] fromTrained = new DDIMScheduler(config(v)).alphasCumprod();
        assertTrue(Golden.maxAbsDiff(ac, fromTrained) < 1e-6);

        // linear and cosine schedules: strictly decreasing alpha_bar in (0, 1)
        for (String schedule : List.of("linear", "squaredcos_cap_v2")) {
            Map<String, Object> w = sd15Values();
            w.put("beta_schedule", schedule);
            float[] t = new DDIMScheduler(config(w)).alphasCumprod();
            for (int i = 1; i < t.length; i++) {
                assertTrue(t[i] < t[i - 1] && t[i] > 0, schedule + " at " + i);
            }
        }
        Map<String, Object> lin = sd15Values();
        lin.put("beta_schedule", "linear");
        float[] linear = new DDIMScheduler(config(lin)).alphasCumprod();
        assertEquals(1 - 0.00085, linear[0], 1e-7, "first beta is beta_start");
    }

    @Test
    void zeroTerminalSnrRescalingEndsAtPureNoise() throws IOException {
        Map<String, Object> v = sd15Values();
        v.put("rescale_betas_zero_snr", true);
        v.put("timestep_spacing", "trailing");
        float[] ddim = new DDIMScheduler(config(v)).alphasCumprod();
        assertEquals(0f, ddim[999], "alpha_bar_T = 0: zero SNR");
        assertEquals(new DDIMScheduler(sd15()).alphasCumprod()[0], ddim[0], 1e-6, "first step unchanged");
        EulerDiscreteScheduler euler = new EulerDiscreteScheduler(config(v));
        assertEquals(0x1p-24f, euler.alphasCumprod()[999], "kept finite for sigma");
        euler.setTimesteps(10);
        assertEquals(4096f, euler.sigmas()[0], 1f, "sigma_max = sqrt((1 - 2^-24) / 2^-24)");
    }

    // ---------------------------------------------------------------- run contract

    @Test
    void stepsMustRunInOrderAfterSetTimesteps() throws IOException {
        Scheduler s = Schedulers.create("dpmpp_2m", sd15());
        float[] x = new float[8];
        assertThrows(IllegalStateException.class, () -> s.step(x, 0, x, null), "before setTimesteps");
        assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0));
        assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(1001));
        s.setTimesteps(10);
        s.step(x, 0, x, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(x, 2, x, null));
        assertTrue(e.getMessage().contains("in order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.step(x, 10, x, null), "index out of range");
        assertThrows(IllegalArgumentException.class, () -> s.step(new float[4], 1, x, null), "size mismatch");
        assertThrows(IllegalArgumentException.class, () -> s.step(new float[4], 1, new float[4], null),
                "sample size changed mid-run");
        s.setTimesteps(10); // a new run may start anywhere
        s.step(x, 3, x, null);
    }

    @Test
    void img2imgRunsStartAtTheBeginIndex() throws IOException {
        Scheduler s = Schedulers.create("euler", sd15());
        s.setTimesteps(10);
        Img2ImgTimesteps plan = s.img2imgTimesteps(0.75);
        assertEquals(3, plan.tStart());
        assertEquals(7, plan.timesteps().length);
        float[] x = new float[4];
        assertThrows(IllegalStateException.class, () -> s.step(x, 0, x, null));
        s.step(x, 3, x, null);
        assertThrows(IllegalStateException.class, () -> s.img2imgTimesteps(0.5), "after the first step");
        assertThrows(IllegalArgumentException.class, () -> s.img2imgTimesteps(1.5));

        s.setTimesteps(10);
        assertTrue(s.img2imgTimesteps(0.0).isEmpty(), "strength 0: nothing to denoise");
        s.setTimesteps(10);
        assertEquals(10, s.img2imgTimesteps(1.0).timesteps().length, "strength 1: the whole schedule");
    }

    @Test
    void onlyEulerAncestralDrawsNoiseAndItChecksTheNoise() throws IOException {
        for (String name : Schedulers.names()) {
            assertEquals(name.equals("euler_a"), Schedulers.create(name, sd15()).isStochastic(), name);
        }
        Scheduler s = Schedulers.create("euler_a", sd15());
        s.setTimesteps(10);
        float[] x = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(x, 0, x, null));
        assertTrue(e.getMessage().contains("noise supplier"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.step(x, 0, x, () -> new float[3]));
        assertTrue(e.getMessage().contains("3 values"), e.getMessage());
    }

    /**
     * A batch of candidates steps together exactly as each would alone (all operations are
     * element-wise), and inputs are left untouched.
     */
    @ParameterizedTest
    @MethodSource("samplers")
    void aBatchStepsExactlyLikeItsCandidatesAlone(String sampler) throws IOException {
        // given: two candidates of 64 values with different starting noise and per-step noise
        int size = 64;
        int steps = 12;
        float[][] start = {gaussian(1, size), gaussian(2, size)};
        float[][][] stepNoise = new float[2][steps + 1][];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i <= steps; i++) {
                stepNoise[c][i] = gaussian(100 * c + i + 3, size);
            }
        }

        // when: run alone, and run as one batch
        float[][] alone = new float[2][];
        for (int c = 0; c < 2; c++) {
            float[][] own = stepNoise[c];
            alone[c] = run(sampler, steps, start[c], i -> own[i]);
        }
        float[] batchStart = concat(start[0], start[1]);
        float[] before = batchStart.clone();
        float[] batch = run(sampler, steps, batchStart, i -> concat(stepNoise[0][i], stepNoise[1][i]));

        // then
        assertArrayEquals(concat(alone[0], alone[1]), batch);
        assertArrayEquals(before, batchStart, "the caller's array is not modified");
        assertFalse(Arrays.equals(alone[0], alone[1]));
    }

    private static float[] run(String sampler, int steps, float[] noise, java.util.function.IntFunction<float[]> draw)
            throws IOException {
        Scheduler s = Schedulers.create(sampler, sd15());
        s.setTimesteps(steps);
        float[] x = new float[noise.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = noise[i] * s.initNoiseSigma();
        }
        for (int i = 0; i < s.timesteps().length; i++) {
            float[] xin = s.scaleModelInput(x, i);
            float c = (float) (0.1 * Math.sin(s.timesteps()[i] / 100.0));
            float[] mo = new float[xin.length];
            for (int e = 0; e < mo.length; e++) {
                mo[e] = 0.3f * xin[e] + c;
            }
            int step = i;
            Supplier<float[]> n = () -> draw.apply(step);
            x = s.step(mo, i, x, n);
        }
        return x;
    }

    private static float[] gaussian(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
