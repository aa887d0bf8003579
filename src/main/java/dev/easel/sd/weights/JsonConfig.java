package dev.easel.sd.weights;

import ai.djl.util.JsonUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A diffusers/transformers {@code config.json} (or {@code scheduler_config.json},
 * {@code model_index.json}) with typed, defaulted getters. Missing keys take the library's
 * default, as in diffusers; a key of the wrong type is an error naming the key.
 */
public final class JsonConfig {
    private final String source;
    private final Map<String, Object> values;

    public JsonConfig(String source, Map<String, Object> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static JsonConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("missing " + file);
        }
        return parse(file.toString(), Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    public static JsonConfig parse(String source, String json) throws IOException {
        Object parsed;
        try {
            parsed = JsonUtils.GSON.fromJson(json, Object.class);
        } catch (RuntimeException e) {
            throw new IOException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new IOException(source + ": expected a JSON object");
        }
        return new JsonConfig(source, (Map<String, Object>) parsed);
    }

    public String source() {
        return source;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public Object raw(String key) {
        return values.get(key);
    }

    public int getInt(String key, int def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        throw wrong(key, "an integer", v);
    }

    public double getDouble(String key, double def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrong(key, "a number", v);
    }

    public boolean getBool(String key, boolean def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrong(key, "true or false", v);
    }

    public String getString(String key, String def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrong(key, "a string", v);
    }

    /** A list of ints; a single number is repeated {@code repeat} times (diffusers accepts both). */
    public int[] getInts(String key, int repeat, int[] def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            int[] out = new int[repeat];
            java.util.Arrays.fill(out, n.intValue());
            return out;
        }
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw wrong(key, "a list of integers", v);
                }
                out[i] = n.intValue();
            }
            return out;
        }
        throw wrong(key, "an integer or a list of integers", v);
    }

    public List<String> getStrings(String key, List<String> def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
            return out;
        }
        throw wrong(key, "a list of strings", v);
    }

    public List<Double> getDoubles(String key, List<Double> def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof List<?> list) {
            List<Double> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Number n)) {
                    throw wrong(key, "a list of numbers", v);
                }
                out.add(n.doubleValue());
            }
            return out;
        }
        throw wrong(key, "a list of numbers", v);
    }

    private IllegalArgumentException wrong(String key, String expected, Object v) {
        return new IllegalArgumentException(source + ": '" + key + "' should be " + expected + ", found " + v);
    }

    @Override
    public String toString() {
        return source + " " + values;
    }
}
