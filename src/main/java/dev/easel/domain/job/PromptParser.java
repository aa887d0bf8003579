package dev.easel.domain.job;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a Midjourney-style prompt: a description followed by parameters, e.g.
 * {@code a lighthouse at dusk --ar 3:2 --no fog, boats --seed 42}. Shared by the Discord bot and the command line.
 *
 * <p>Parameters start with {@code --} (or an em/en dash, which phones type for "--") followed by a letter, and go
 * after the description. Each takes one value, except {@code --tile} (none) and {@code --no} (all words up to
 * the next parameter). Names are case-insensitive.
 *
 * <ul>
 *   <li>{@code --ar W:H} aspect ratio: width and height are {@code sqrt(A·W/H)} and {@code sqrt(A·H/W)} rounded
 *       to multiples of 64, where A is the model's native area (512² for SD 1.x, 768² for SD 2.x)</li>
 *   <li>{@code --size WxH} exact size: multiples of 8, 64 up to the configured maximum side</li>
 *   <li>{@code --seed N} 0..4294967295 (absent: random)</li>
 *   <li>{@code --no TEXT} negative prompt, comma-separated</li>
 *   <li>{@code --chaos N} 0..100, spread between candidates (see {@link GenerationParams#candidates()})</li>
 *   <li>{@code --stylize N} 0..1000 → guidance scale {@code 1 + 1300/(N + 100)}: 0 → 14 (literal),
 *       100 (the default) → 7.5, 1000 → 2.18 (loose, painterly)</li>
 *   <li>{@code --q Q} 0.25, 0.5, 1 or 2: multiplies the default step count</li>
 *   <li>{@code --tile} seamless tiling</li>
 *   <li>{@code --steps N} 1..max steps, {@code --cfg X} 1..30 guidance scale, {@code --sampler NAME}</li>
 * </ul>
 * {@code --ar}/{@code --size}, {@code --stylize}/{@code --cfg} and {@code --q}/{@code --steps} set the same thing
 * and cannot be combined.
 */
public final class PromptParser {

    /**
     * @param model           model name put into the parameters
     * @param nativeSize      the model's native square side (512 for SD 1.x, 768 for SD 2.x); a multiple of 64
     * @param defaultSteps    steps when neither --steps nor --q is given
     * @param defaultGuidance guidance scale when neither --cfg nor --stylize is given
     * @param defaultSampler  sampler when --sampler is not given
     * @param maxSide         largest width or height allowed
     * @param maxSteps        largest --steps allowed (at most 150)
     * @param candidates      images per grid
     * @param maxPromptLength longest description in characters
     */
    public record Settings(String model, int nativeSize, int defaultSteps, double defaultGuidance,
                           Sampler defaultSampler, int maxSide, int maxSteps, int candidates, int maxPromptLength) {
        public Settings {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("model must be named");
            }
            if (nativeSize < 64 || nativeSize % 64 != 0) {
                throw new IllegalArgumentException("native size must be a multiple of 64; got " + nativeSize);
            }
            if (maxSide < 64 || maxSide % 8 != 0) {
                throw new IllegalArgumentException("max side must be a multiple of 8, at least 64; got " + maxSide);
            }
            if (maxSteps < 1 || maxSteps > ABSOLUTE_MAX_STEPS) {
                throw new IllegalArgumentException("max steps must be 1.." + ABSOLUTE_MAX_STEPS + "; got " + maxSteps);
            }
            if (defaultSteps < 1 || defaultSteps > maxSteps) {
                throw new IllegalArgumentException("default steps must be 1.." + maxSteps + "; got " + defaultSteps);
            }
            if (!(defaultGuidance >= 1 && defaultGuidance <= 30)) {
                throw new IllegalArgumentException("default guidance must be 1..30; got " + defaultGuidance);
            }
            if (defaultSampler == null) {
                throw new IllegalArgumentException("default sampler must be set");
            }
            if (candidates < 1 || candidates > GenerationParams.MAX_CANDIDATES) {
                throw new IllegalArgumentException("candidates must be 1.." + GenerationParams.MAX_CANDIDATES
                        + "; got " + candidates);
            }
            if (maxPromptLength < 1 || maxPromptLength > MAX_STORED_PROMPT) {
                throw new IllegalArgumentException("max prompt length must be 1.." + MAX_STORED_PROMPT + "; got "
                        + maxPromptLength);
            }
        }

        /** Stable Diffusion 1.x defaults: 512² native, 30 steps, guidance 7.5, euler_a, 4 candidates. */
        public static Settings sd15(String model) {
            return new Settings(model, 512, 30, 7.5, Sampler.DEFAULT, 1024, ABSOLUTE_MAX_STEPS, 4, 2000);
        }
    }

    public static final int ABSOLUTE_MAX_STEPS = 150;
    /** Longest prompt (and negative prompt) the job store keeps. */
    public static final int MAX_STORED_PROMPT = 4000;

    private enum Arity { FLAG, ONE, TEXT }

    private enum Param {
        AR("ar", Arity.ONE, "aspect"),
        SIZE("size", Arity.ONE),
        SEED("seed", Arity.ONE),
        NO("no", Arity.TEXT),
        CHAOS("chaos", Arity.ONE, "c"),
        STYLIZE("stylize", Arity.ONE, "s"),
        QUALITY("q", Arity.ONE, "quality"),
        TILE("tile", Arity.FLAG),
        STEPS("steps", Arity.ONE),
        CFG("cfg", Arity.ONE),
        SAMPLER("sampler", Arity.ONE);

        final String name;
        final Arity arity;
        final List<String> aliases;

        Param(String name, Arity arity, String... aliases) {
            this.name = name;
            this.arity = arity;
            this.aliases = List.of(aliases);
        }

        String flag() {
            return "--" + name;
        }
    }

    private static final Map<String, Param> BY_NAME = new HashMap<>();
    static {
        for (Param p : Param.values()) {
            BY_NAME.put(p.name, p);
            p.aliases.forEach(a -> BY_NAME.put(a, p));
        }
    }

    /** Every parameter with its aliases, for messages: "--ar (--aspect), --cfg, …". */
    public static final String KNOWN = Arrays.stream(Param.values())
            .sorted((a, b) -> a.name.compareTo(b.name))
            .map(p -> p.flag() + (p.aliases.isEmpty() ? ""
                    : p.aliases.stream().map(a -> "--" + a).collect(Collectors.joining(", ", " (", ")"))))
            .collect(Collectors.joining(", "));

    /** A parameter token: "--", an em dash or an en dash, then a letter. */
    private static final Pattern PARAM_TOKEN = Pattern.compile("^(?:--|\u2014|\u2013)(\\p{L}\\S*)$");
    private static final Pattern RATIO = Pattern.compile("(\\d{1,5}):(\\d{1,5})");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})[x×X*](\\d{1,5})");
    private static final Pattern WHOLE = Pattern.compile("\\d{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,3}(?:\\.\\d{1,4})?|\\.\\d{1,4}");
    private static final List<BigDecimal> QUALITIES = List.of(new BigDecimal("0.25"), new BigDecimal("0.5"),
            BigDecimal.ONE, new BigDecimal("2"));

    private final Settings settings;

    public PromptParser(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Parses a whole prompt. Never throws on user input: every problem is an {@link ParseResult.Invalid}. */
    public ParseResult parse(String text) {
        try {
            return new ParseResult.Parsed(parseOrThrow(text));
        } catch (BadInput e) {
            return new ParseResult.Invalid(e.getMessage());
        }
    }

    private GenerationParams parseOrThrow(String text) {
        String[] tokens = text == null || text.isBlank() ? new String[0] : text.strip().split("\\s+");
        int i = 0;
        List<String> words = new ArrayList<>();
        while (i < tokens.length && paramName(tokens[i]) == null) {
            words.add(tokens[i++]);
        }
        String prompt = String.join(" ", words);
        if (prompt.isEmpty()) {
            throw new BadInput("the prompt is empty: describe the picture first, then add parameters, "
                    + "e.g. \"a lighthouse at dusk --ar 3:2\"");
        }
        if (prompt.length() > settings.maxPromptLength()) {
            throw new BadInput("the prompt is " + prompt.length() + " characters long; the limit is "
                    + settings.maxPromptLength());
        }

        Map<Param, String> values = new LinkedHashMap<>();
        while (i < tokens.length) {
            String typed = tokens[i];
            String name = paramName(typed).toLowerCase(Locale.ROOT);
            Param param = BY_NAME.get(name);
            if (param == null) {
                throw new BadInput("unknown parameter --" + name + "; known: " + KNOWN);
            }
            if (values.containsKey(param)) {
                throw new BadInput(param.flag() + " is given twice; give it once");
            }
            int j = i + 1;
            List<String> args = new ArrayList<>();
            while (j < tokens.length && paramName(tokens[j]) == null) {
                args.add(tokens[j++]);
            }
            switch (param.arity) {
                case FLAG -> {
                    if (!args.isEmpty()) {
                        throw new BadInput(param.flag() + " takes no value, but \"" + String.join(" ", args)
                                + "\" follows it: put the description before the parameters");
                    }
                    values.put(param, "");
                }
                case ONE -> {
                    if (args.isEmpty()) {
                        throw new BadInput(param.flag() + " needs a value: " + allowed(param));
                    }
                    if (args.size() > 1) {
                        throw new BadInput("unexpected text \"" + String.join(" ", args.subList(1, args.size()))
                                + "\" after " + param.flag() + " " + args.get(0)
                                + ": put the description before the parameters");
                    }
                    values.put(param, args.get(0));
                }
                case TEXT -> {
                    String negative = Arrays.stream(String.join(" ", args).split(","))
                            .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.joining(", "));
                    if (negative.isEmpty()) {
                        throw new BadInput(param.flag() + " needs the things to leave out, e.g. --no text, watermark");
                    }
                    if (negative.length() > settings.maxPromptLength()) {
                        throw new BadInput("the --no text is " + negative.length() + " characters long; the limit is "
                                + settings.maxPromptLength());
                    }
                    values.put(param, negative);
                }
                default -> throw new IllegalStateException();
            }
            i = j;
        }
        conflict(values, Param.AR, Param.SIZE, "the picture size");
        conflict(values, Param.STYLIZE, Param.CFG, "the guidance scale");
        conflict(values, Param.QUALITY, Param.STEPS, "the number of steps");

        int width = settings.nativeSize();
        int height = settings.nativeSize();
        if (values.containsKey(Param.SIZE)) {
            int[] wh = size(values.get(Param.SIZE));
            width = wh[0];
            height = wh[1];
        } else if (values.containsKey(Param.AR)) {
            int[] wh = aspect(values.get(Param.AR));
            width = wh[0];
            height = wh[1];
        }

        OptionalLong seed = OptionalLong.empty();
        if (values.containsKey(Param.SEED)) {
            seed = OptionalLong.of(whole(Param.SEED, values.get(Param.SEED), 0, GenerationParams.MAX_SEED));
        }
        int chaos = values.containsKey(Param.CHAOS) ? (int) whole(Param.CHAOS, values.get(Param.CHAOS), 0, 100) : 0;

        double guidance = settings.defaultGuidance();
        OptionalInt stylize = OptionalInt.empty();
        if (values.containsKey(Param.STYLIZE)) {
            int s = (int) whole(Param.STYLIZE, values.get(Param.STYLIZE), 0, 1000);
            stylize = OptionalInt.of(s);
            guidance = guidanceForStylize(s);
        } else if (values.containsKey(Param.CFG)) {
            guidance = decimal(Param.CFG, values.get(Param.CFG), 1, 30);
        }

        double quality = 1.0;
        int steps = settings.defaultSteps();
        if (values.containsKey(Param.QUALITY)) {
            quality = quality(values.get(Param.QUALITY));
            steps = (int) Math.max(1, Math.min(settings.maxSteps(), Math.round(settings.defaultSteps() * quality)));
        } else if (values.containsKey(Param.STEPS)) {
            steps = (int) whole(Param.STEPS, values.get(Param.STEPS), 1, settings.maxSteps());
        }

        Sampler sampler = settings.defaultSampler();
        if (values.containsKey(Param.SAMPLER)) {
            String typed = values.get(Param.SAMPLER);
            sampler = Sampler.fromId(typed).orElseThrow(() -> new BadInput("--sampler " + typed
                    + " is unknown; known: " + String.join(", ", Sampler.ids())));
        }

        return new GenerationParams(prompt, values.getOrDefault(Param.NO, ""), width, height, steps, guidance,
                sampler, seed, chaos, stylize, values.containsKey(Param.TILE), quality, settings.model(), 0.0,
                settings.candidates());
    }

    /** {@code --stylize s} → guidance {@code 1 + 1300 / (s + 100)}, rounded to 0.01 (s = 100 gives 7.5). */
    public static double guidanceForStylize(int stylize) {
        return Math.round((1.0 + 1300.0 / (stylize + 100.0)) * 100.0) / 100.0;
    }

    /**
     * {@code --ar W:H}: width = sqrt(A·W/H), height = sqrt(A·H/W) with A = native², each rounded to the nearest
     * multiple of 64 (at least 64), so the area stays near the model's native one.
     */
    int[] aspect(String value) {
        Matcher m = RATIO.matcher(value);
        if (!m.matches()) {
            throw new BadInput("--ar " + value + " is not an aspect ratio: use W:H with whole numbers, e.g. --ar 16:9");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w < 1 || h < 1) {
            throw new BadInput("--ar " + value + " is not allowed: both sides of W:H must be at least 1");
        }
        double area = (double) settings.nativeSize() * settings.nativeSize();
        int width = snap64(Math.sqrt(area * w / h));
        int height = snap64(Math.sqrt(area * h / w));
        if (width > settings.maxSide() || height > settings.maxSide()) {
            throw new BadInput("--ar " + value + " gives " + width + "x" + height + ", over the "
                    + settings.maxSide() + "-pixel limit per side: use a ratio closer to 1:1 (e.g. up to "
                    + maxRatioHint() + ")");
        }
        return new int[] {width, height};
    }

    private String maxRatioHint() {
        // The widest ratio r whose width sqrt(A·r) still snaps within maxSide: r ≈ (maxSide / native)².
        double r = Math.pow((double) settings.maxSide() / settings.nativeSize(), 2);
        return Math.max(1, (int) Math.floor(r)) + ":1";
    }

    private static int snap64(double side) {
        return (int) Math.max(64, Math.round(side / 64.0) * 64);
    }

    private int[] size(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new BadInput("--size " + value + " is not a size: use WxH in pixels, e.g. --size 768x512");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        for (int side : new int[] {w, h}) {
            if (side % 8 != 0) {
                int lower = Math.max(64, side / 8 * 8);
                throw new BadInput("--size " + value + ": " + side + " is not a multiple of 8 (try " + lower
                        + " or " + (lower + 8) + ")");
            }
            if (side < 64 || side > settings.maxSide()) {
                throw new BadInput("--size " + value + ": each side must be 64 to " + settings.maxSide()
                        + " pixels; " + side + " is not");
            }
        }
        return new int[] {w, h};
    }

    private static long whole(Param param, String value, long min, long max) {
        if (!WHOLE.matcher(value).matches() || Long.parseLong(value) < min || Long.parseLong(value) > max) {
            throw new BadInput(param.flag() + " " + value + " is not allowed: use a whole number from " + min
                    + " to " + max);
        }
        return Long.parseLong(value);
    }

    private static double decimal(Param param, String value, double min, double max) {
        double v = DECIMAL.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
        if (!(v >= min && v <= max)) {
            throw new BadInput(param.flag() + " " + value + " is not allowed: use a number from " + fmt(min)
                    + " to " + fmt(max) + ", e.g. " + param.flag() + " 7.5");
        }
        return v;
    }

    private static double quality(String value) {
        if (DECIMAL.matcher(value).matches()) {
            BigDecimal typed = new BigDecimal(value);
            for (BigDecimal q : QUALITIES) {
                if (q.compareTo(typed) == 0) {
                    return q.doubleValue();
                }
            }
        }
        throw new BadInput("--q " + value + " is not allowed: use 0.25, 0.5, 1 or 2");
    }

    private String allowed(Param param) {
        return switch (param) {
            case AR -> "W:H, e.g. 16:9";
            case SIZE -> "WxH in pixels, multiples of 8 from 64 to " + settings.maxSide() + ", e.g. 768x512";
            case SEED -> "a whole number from 0 to " + GenerationParams.MAX_SEED;
            case CHAOS -> "a whole number from 0 to 100";
            case STYLIZE -> "a whole number from 0 to 1000";
            case QUALITY -> "0.25, 0.5, 1 or 2";
            case STEPS -> "a whole number from 1 to " + settings.maxSteps();
            case CFG -> "a number from 1 to 30";
            case SAMPLER -> String.join(", ", Sampler.ids());
            case NO, TILE -> "";
        };
    }

    private static void conflict(Map<Param, String> values, Param a, Param b, String what) {
        if (values.containsKey(a) && values.containsKey(b)) {
            throw new BadInput(a.flag() + " and " + b.flag() + " both set " + what + "; use one of them");
        }
    }

    private static String paramName(String token) {
        Matcher m = PARAM_TOKEN.matcher(token);
        return m.matches() ? m.group(1) : null;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message, null, false, false);
        }
    }
}
