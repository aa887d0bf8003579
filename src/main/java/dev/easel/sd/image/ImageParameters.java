package dev.easel.sd.image;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The generation parameters of an image, in the plain-text form that popular Stable Diffusion UIs
 * store in a PNG's {@code parameters} chunk and can paste back in to re-run an image:
 * <pre>
 * a lighthouse at dusk, oil painting
 * Negative prompt: blurry, low quality
 * Steps: 25, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: sd15
 * </pre>
 * The prompt may span several lines; the "Negative prompt:" line is left out when there is none;
 * the last line holds {@code key: value} settings separated by ", ". A value containing a comma,
 * a colon or a line break is written as a JSON string in double quotes. Settings beyond the standard
 * ones go, in order, into {@link #extra()} (for example "Denoising strength" or "Variation seed").
 *
 * @param prompt         the prompt, never null (may be empty)
 * @param negativePrompt the negative prompt, "" when there is none
 * @param model          the model name, "" to leave the setting out
 * @param extra          further settings in output order; keys must not repeat the standard ones
 */
public record ImageParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                              long seed, int width, int height, String model, Map<String, String> extra) {

    private static final String NEGATIVE = "Negative prompt:";
    private static final Set<String> STANDARD = Set.of("Steps", "Sampler", "CFG scale", "Seed", "Size", "Model");

    public ImageParameters {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null (use \"\" for none)");
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        model = model == null ? "" : model;
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be positive, got " + steps);
        }
        if (sampler == null || sampler.isBlank()) {
            throw new IllegalArgumentException("sampler must be named, got " + (sampler == null ? "null" : "''"));
        }
        if (!Double.isFinite(cfgScale)) {
            throw new IllegalArgumentException("CFG scale must be a finite number, got " + cfgScale);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        Map<String, String> copy = new LinkedHashMap<>();
        if (extra != null) {
            for (Map.Entry<String, String> e : extra.entrySet()) {
                checkKey(e.getKey());
                if (e.getValue() == null) {
                    throw new IllegalArgumentException("setting '" + e.getKey() + "' has a null value");
                }
                copy.put(e.getKey(), e.getValue());
            }
        }
        extra = Collections.unmodifiableMap(copy);
    }

    /** Parameters without a model name or extra settings. */
    public ImageParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                           long seed, int width, int height) {
        this(prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height, "", Map.of());
    }

    /** A copy with one more extra setting appended (or replaced). */
    public ImageParameters withExtra(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new ImageParameters(prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height, model, m);
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || !Character.isLetterOrDigit(key.charAt(0))
                || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == ' ' || c == '-' || c == '/')) {
            throw new IllegalArgumentException("setting name '" + key + "' must start with a letter or digit and hold"
                    + " only letters, digits, spaces, '_', '-' and '/'");
        }
        if (STANDARD.contains(key)) {
            throw new IllegalArgumentException("setting '" + key + "' is a standard field; set it directly, not as extra");
        }
    }

    /** The text for the PNG chunk (see the class comment). */
    public String toText() {
        StringBuilder sb = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) {
            sb.append('\n').append(NEGATIVE).append(' ').append(negativePrompt);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("Steps", Integer.toString(steps));
        settings.put("Sampler", sampler);
        settings.put("CFG scale", formatNumber(cfgScale));
        settings.put("Seed", Long.toString(seed));
        settings.put("Size", width + "x" + height);
        if (!model.isEmpty()) {
            settings.put("Model", model);
        }
        settings.putAll(extra);
        sb.append('\n');
        boolean first = true;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(e.getKey()).append(": ").append(quote(e.getValue()));
        }
        return sb.toString();
    }

    /** 7.0 -> "7", 7.5 -> "7.5". */
    private static String formatNumber(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /**
     * Reads parameters text as written by {@link #toText()} or by the common SD UIs.
     *
     * @throws IllegalArgumentException if there is no settings line, or Steps, Sampler, CFG scale,
     *                                  Seed or Size is missing or malformed (the message names which)
     */
    public static ImageParameters parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("parameters text is empty");
        }
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        int last = lines.length - 1;
        while (last > 0 && lines[last].isBlank()) {
            last--;
        }
        Map<String, String> settings = parseSettings(lines[last]);
        if (settings == null || settings.size() < 3) {
            throw new IllegalArgumentException("parameters text has no settings line (the last line should read like"
                    + " 'Steps: 25, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512')");
        }
        List<String> promptLines = new ArrayList<>();
        List<String> negativeLines = new ArrayList<>();
        boolean negative = false;
        for (int i = 0; i < last; i++) {
            String line = lines[i];
            if (!negative && line.startsWith(NEGATIVE)) {
                negative = true;
                line = line.substring(NEGATIVE.length());
                if (line.startsWith(" ")) {
                    line = line.substring(1);
                }
            }
            (negative ? negativeLines : promptLines).add(line);
        }
        int steps = parseInt(settings, "Steps");
        String sampler = require(settings, "Sampler");
        double cfg = parseDouble(settings, "CFG scale");
        long seed = parseLong(settings, "Seed");
        String size = require(settings, "Size");
        int x = size.indexOf('x');
        int width;
        int height;
        try {
            width = Integer.parseInt(size.substring(0, Math.max(x, 0)).trim());
            height = Integer.parseInt(size.substring(x + 1).trim());
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("setting 'Size' must read WIDTHxHEIGHT, got '" + size + "'");
        }
        String model = settings.getOrDefault("Model", "");
        Map<String, String> extra = new LinkedHashMap<>(settings);
        extra.keySet().removeAll(STANDARD);
        return new ImageParameters(String.join("\n", promptLines), String.join("\n", negativeLines), steps, sampler,
                cfg, seed, width, height, model, extra);
    }

    private static String require(Map<String, String> s, String key) {
        String v = s.get(key);
        if (v == null) {
            throw new IllegalArgumentException("parameters text lacks the setting '" + key + "'");
        }
        return v;
    }

    private static int parseInt(Map<String, String> s, String key) {
        String v = require(s, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a whole number, got '" + v + "'");
        }
    }

    private static long parseLong(Map<String, String> s, String key) {
        String v = require(s, key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a whole number, got '" + v + "'");
        }
    }

    private static double parseDouble(Map<String, String> s, String key) {
        String v = require(s, key);
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /**
     * Splits "k1: v1, k2: "quoted, value", k3: v3" into an ordered map; null if the line is not
     * made of such pairs.
     */
    static Map<String, String> parseSettings(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int colon = line.indexOf(':', i);
            if (colon <= i) {
                return null;
            }
            String key = line.substring(i, colon).trim();
            if (key.isEmpty() || !Character.isLetterOrDigit(key.charAt(0))
                    || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == ' ' || c == '-' || c == '/')) {
                return null;
            }
            i = colon + 1;
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            String value;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i = unquote(line, i, sb);
                if (i < 0) {
                    return null;
                }
                value = sb.toString();
                while (i < n && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    return null;
                }
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                value = line.substring(i, end).trim();
                i = end;
            }
            out.putIfAbsent(key, value);
            if (i < n) {
                i++; // the comma
            }
        }
        return out;
    }

    /** Quotes a value as a JSON string when it holds ',', ':' or a line break (else returns it as is). */
    static String quote(String v) {
        if (v.indexOf(',') < 0 && v.indexOf(':') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Reads a JSON string starting at the quote at {@code start}; returns the index after it, or -1. */
    private static int unquote(String s, int start, StringBuilder out) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    return -1;
                }
                char e = s.charAt(i + 1);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (i + 6 > s.length()) {
                            return -1;
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException ex) {
                            return -1;
                        }
                        i += 4;
                    }
                    default -> {
                        return -1;
                    }
                }
                i += 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return -1;
    }
}
