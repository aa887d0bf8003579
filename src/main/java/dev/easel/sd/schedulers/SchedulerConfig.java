package dev.easel.sd.schedulers;

import dev.easel.sd.weights.JsonConfig;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code scheduler_config.json} as one scheduler class reads it, following diffusers'
 * {@code Class.from_config(config, **overrides)}: an override wins over the file; a key the
 * file lists in {@code _use_default_values} is treated as absent (it was only the default of the
 * class that saved the file); an absent or {@code null} key takes this class's default. Keys
 * other classes use are carried in the file and simply not read.
 *
 * <p>Every bad value is reported with the file, the class, the key, what was found and what
 * is allowed.
 */
final class SchedulerConfig {
    private final JsonConfig config;
    private final String className;

    SchedulerConfig(JsonConfig base, String className) {
        this.config = withoutUsedDefaults(base);
        this.className = className;
    }

    /**
     * {@code base} with {@code overrides} put on top (diffusers' {@code from_config(base, **overrides)}):
     * the keys {@code base} lists as used defaults are dropped first, so an override of one of them stays.
     */
    static JsonConfig merge(JsonConfig base, Map<String, ?> overrides) {
        Map<String, Object> values = new LinkedHashMap<>(withoutUsedDefaults(base).asMap());
        values.putAll(overrides);
        return new JsonConfig(base.source(), values);
    }

    /** The config without the keys listed in {@code _use_default_values}, and without that list. */
    private static JsonConfig withoutUsedDefaults(JsonConfig base) {
        Object used = base.raw("_use_default_values");
        if (used == null) {
            return base;
        }
        Set<String> drop = new HashSet<>();
        drop.add("_use_default_values");
        if (used instanceof List<?> keys) {
            for (Object k : keys) {
                drop.add(String.valueOf(k));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>(base.asMap());
        values.keySet().removeAll(drop);
        return new JsonConfig(base.source(), values);
    }

    String className() {
        return className;
    }

    String source() {
        return config.source();
    }

    boolean has(String key) {
        return config.has(key);
    }

    Object raw(String key) {
        return config.raw(key);
    }

    int integer(String key, int def, int min) {
        int v = wrapped(() -> config.getInt(key, def));
        Object raw = config.raw(key);
        if (raw instanceof Number n && n.doubleValue() != Math.rint(n.doubleValue())) {
            throw bad(key, raw, "an integer");
        }
        if (v < min) {
            throw bad(key, v, "an integer >= " + min);
        }
        return v;
    }

    /** A number; Python's json writes infinities as the bare words Infinity and -Infinity, accepted too. */
    double number(String key, double def) {
        Object raw = config.raw(key);
        if (raw instanceof String word) {
            switch (word) {
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> throw bad(key, "'" + word + "'", "a number");
            }
        }
        return wrapped(() -> config.getDouble(key, def));
    }

    /** A number, or {@code null} when absent or null. */
    Double optionalNumber(String key) {
        if (!config.has(key)) {
            return null;
        }
        return wrapped(() -> config.getDouble(key, 0));
    }

    boolean flag(String key, boolean def) {
        return wrapped(() -> config.getBool(key, def));
    }

    /** A string that must be one of {@code allowed}. */
    String choice(String key, String def, String... allowed) {
        String v = wrapped(() -> config.getString(key, def));
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw bad(key, "'" + v + "'", "one of " + String.join(", ", allowed));
    }

    /** A list of numbers, or {@code null} when absent or null. */
    double[] optionalNumbers(String key) {
        if (!config.has(key)) {
            return null;
        }
        List<Double> list = wrapped(() -> config.getDoubles(key, List.of()));
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    /** A list of integers, empty when absent or null. */
    int[] integers(String key) {
        if (!config.has(key)) {
            return new int[0];
        }
        return wrapped(() -> config.getInts(key, 1, new int[0]));
    }

    /** Rejects a setting this implementation does not offer, naming the value that is supported. */
    void requireFlag(String key, boolean def, boolean supported, String why) {
        if (flag(key, def) != supported) {
            throw new IllegalArgumentException(prefix() + key + " = " + !supported + " is not supported ("
                    + why + "); use " + supported);
        }
    }

    IllegalArgumentException bad(String key, Object found, String expected) {
        return new IllegalArgumentException(prefix() + "'" + key + "' should be " + expected + ", found " + found);
    }

    IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException(prefix() + what);
    }

    private String prefix() {
        return config.source() + ": " + className + ": ";
    }

    private <T> T wrapped(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(className + ": " + e.getMessage(), e);
        }
    }
}
