package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a sampler by name from a model's {@code scheduler_config.json}, the way diffusers users
 * swap schedulers: {@code <Class>.from_config(pipe.scheduler.config, **extra)}. The model's
 * training schedule (betas, prediction type, steps_offset, ...) is kept; keys the chosen class
 * does not know are ignored; a key the file does not set takes the chosen class's default
 * (e.g. timestep_spacing: leading for DDIM and PNDM, linspace for the others).
 *
 * <table>
 *   <caption>Sampler names</caption>
 *   <tr><th>name</th><th>class</th><th>extra config</th></tr>
 *   <tr><td>ddim</td><td>{@link DDIMScheduler}</td><td></td></tr>
 *   <tr><td>pndm</td><td>{@link PNDMScheduler} (PLMS)</td><td>skip_prk_steps = true</td></tr>
 *   <tr><td>euler</td><td>{@link EulerDiscreteScheduler}</td><td></td></tr>
 *   <tr><td>euler_a</td><td>{@link EulerAncestralDiscreteScheduler}</td><td></td></tr>
 *   <tr><td>dpmpp_2m</td><td>{@link DPMSolverMultistepScheduler}</td><td>algorithm_type = dpmsolver++, solver_order = 2</td></tr>
 *   <tr><td>dpmpp_2m_karras</td><td>{@link DPMSolverMultistepScheduler}</td><td>as dpmpp_2m, use_karras_sigmas = true</td></tr>
 *   <tr><td>lms</td><td>{@link LMSDiscreteScheduler}</td><td></td></tr>
 *   <tr><td>unipc</td><td>{@link UniPCMultistepScheduler}</td><td></td></tr>
 * </table>
 */
public final class Schedulers {
    private record Entry(Map<String, Object> extra, Function<JsonConfig, Scheduler> constructor) {
    }

    private static final Map<String, Entry> SAMPLERS = new LinkedHashMap<>();
    /** Other spellings users and tools use for the same samplers. */
    private static final Map<String, String> ALIASES = Map.of(
            "plms", "pndm",
            "pndm_plms", "pndm",
            "euler_ancestral", "euler_a",
            "k_euler", "euler",
            "k_euler_a", "euler_a",
            "k_lms", "lms");

    static {
        SAMPLERS.put("ddim", new Entry(Map.of(), DDIMScheduler::new));
        SAMPLERS.put("pndm", new Entry(Map.of("skip_prk_steps", true), PNDMScheduler::new));
        SAMPLERS.put("euler", new Entry(Map.of(), EulerDiscreteScheduler::new));
        SAMPLERS.put("euler_a", new Entry(Map.of(), EulerAncestralDiscreteScheduler::new));
        SAMPLERS.put("dpmpp_2m", new Entry(
                Map.of("algorithm_type", "dpmsolver++", "solver_order", 2), DPMSolverMultistepScheduler::new));
        SAMPLERS.put("dpmpp_2m_karras", new Entry(
                Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", true),
                DPMSolverMultistepScheduler::new));
        SAMPLERS.put("lms", new Entry(Map.of(), LMSDiscreteScheduler::new));
        SAMPLERS.put("unipc", new Entry(Map.of(), UniPCMultistepScheduler::new));
    }

    /** The diffusers classes {@link #fromConfig} builds, by {@code _class_name}. */
    private static final Map<String, Function<JsonConfig, Scheduler>> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("DDIMScheduler", DDIMScheduler::new);
        CLASSES.put("PNDMScheduler", PNDMScheduler::new);
        CLASSES.put("EulerDiscreteScheduler", EulerDiscreteScheduler::new);
        CLASSES.put("EulerAncestralDiscreteScheduler", EulerAncestralDiscreteScheduler::new);
        CLASSES.put("DPMSolverMultistepScheduler", DPMSolverMultistepScheduler::new);
        CLASSES.put("LMSDiscreteScheduler", LMSDiscreteScheduler::new);
        CLASSES.put("UniPCMultistepScheduler", UniPCMultistepScheduler::new);
    }

    private Schedulers() {
    }

    /**
     * The scheduler the config itself names in {@code _class_name} (a model's default sampler),
     * built from the config as it is.
     *
     * @throws IllegalArgumentException when the class is missing or not one of those implemented here
     */
    public static Scheduler fromConfig(JsonConfig config) {
        String className = config.getString("_class_name", null);
        if (className == null) {
            throw new IllegalArgumentException(config.source() + ": no _class_name; choose a sampler by name ("
                    + String.join(", ", names()) + ")");
        }
        Function<JsonConfig, Scheduler> constructor = CLASSES.get(className);
        if (constructor == null) {
            throw new IllegalArgumentException(config.source() + ": scheduler class " + className
                    + " is not supported; supported: " + String.join(", ", CLASSES.keySet())
                    + " (or choose a sampler by name: " + String.join(", ", names()) + ")");
        }
        return constructor.apply(config);
    }

    /** The sampler names {@link #create} accepts, in a stable order. */
    public static List<String> names() {
        return List.copyOf(SAMPLERS.keySet());
    }

    /**
     * The canonical name for {@code samplerName} (case-insensitive; also accepts plms,
     * euler_ancestral, k_euler, k_euler_a, k_lms).
     *
     * @throws IllegalArgumentException naming the allowed samplers when the name is unknown
     */
    public static String canonicalName(String samplerName) {
        if (samplerName == null || samplerName.isBlank()) {
            throw new IllegalArgumentException("no sampler given; choose one of " + String.join(", ", names()));
        }
        String key = samplerName.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        key = ALIASES.getOrDefault(key, key);
        if (!SAMPLERS.containsKey(key)) {
            throw new IllegalArgumentException("unknown sampler '" + samplerName + "'; choose one of "
                    + String.join(", ", names()));
        }
        return key;
    }

    /**
     * A new scheduler (one per job) for {@code samplerName} built from the model's scheduler config.
     *
     * @throws IllegalArgumentException for an unknown sampler name or a config value the sampler cannot use
     */
    public static Scheduler create(String samplerName, JsonConfig baseConfig) {
        return create(samplerName, baseConfig, Map.of());
    }

    /**
     * As {@link #create(String, JsonConfig)} with further config keys on top (e.g.
     * {@code timestep_spacing: trailing}); they win over both the file and the sampler's extras.
     */
    public static Scheduler create(String samplerName, JsonConfig baseConfig, Map<String, ?> overrides) {
        Entry entry = SAMPLERS.get(canonicalName(samplerName));
        JsonConfig config = SchedulerConfig.merge(SchedulerConfig.merge(baseConfig, entry.extra()), overrides);
        return entry.constructor().apply(config);
    }
}
