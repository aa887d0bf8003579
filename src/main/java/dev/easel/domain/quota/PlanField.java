package dev.easel.domain.quota;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The editable fields of a {@link Plan}, under the keys used in plans.yaml and in admin commands, with
 * text parsing (so YAML and slash commands share one set of rules and messages) and formatting (for
 * the audit log and listings).
 */
public enum PlanField {
    DISPLAY_NAME("displayName"),
    PRIORITY("priority"),
    ADD_ON("addOn"),
    IMAGES("images"),
    RENEWS("renews"),
    LANE("lane"),
    RELAX_AFTER("relaxAfter"),
    MAX_RUNNING("maxRunning"),
    MAX_QUEUED("maxQueued"),
    MAX_STEPS("maxSteps"),
    MAX_PIXELS("maxPixels"),
    MAX_SIDE("maxSide"),
    MAX_UPSCALE("maxUpscale"),
    COMMERCIAL("commercial"),
    PRIVATE("private");

    /** Fields a new base plan must state (everything else has a baseline value, see {@link Plan#builder}). */
    public static final Set<PlanField> REQUIRED_FOR_BASE_PLANS = EnumSet.of(IMAGES, RENEWS, LANE);
    /** The only fields that mean anything for an add-on plan. */
    public static final Set<PlanField> ADD_ON_FIELDS = EnumSet.of(DISPLAY_NAME, PRIORITY, ADD_ON, PRIVATE);

    private final String key;

    PlanField(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Optional<PlanField> byKey(String key) {
        return Arrays.stream(values()).filter(f -> f.key.equals(key)).findFirst();
    }

    /** Every key, comma-separated, for "unknown field" messages. */
    public static String allKeys() {
        return Arrays.stream(values()).map(PlanField::key).collect(Collectors.joining(", "));
    }

    /**
     * A new plan from text fields. A base plan must state images, renews and lane; other fields take
     * the baseline of {@link Plan#builder(String)}. An add-on plan may only state displayName,
     * priority, addOn and private (private defaults to included).
     *
     * @throws InvalidPlanException naming the first bad field
     */
    public static Plan create(String name, Map<String, String> fields) {
        Plan.checkName(name);
        Map<PlanField, String> parsed = keys(fields, false);
        boolean addOn = parsed.containsKey(ADD_ON) && parseBoolean(ADD_ON, parsed.get(ADD_ON));
        Plan.Builder b = Plan.builder(name);
        if (addOn) {
            b.addOn(true).privateAccess(PrivateAccess.INCLUDED);
            for (PlanField f : parsed.keySet()) {
                if (!ADD_ON_FIELDS.contains(f)) {
                    throw new InvalidPlanException(f.key, "does not apply to add-on plans (they only use displayName, priority and private)");
                }
            }
        } else {
            for (PlanField f : REQUIRED_FOR_BASE_PLANS) {
                if (!parsed.containsKey(f)) {
                    throw new InvalidPlanException(f.key, "is required for a plan (" + f.hint() + ")");
                }
            }
        }
        parsed.forEach((f, v) -> f.apply(b, v));
        return b.build();
    }

    /**
     * {@code plan} with the given fields changed. name and addOn cannot change; fields that do not
     * apply to add-on plans are refused for them.
     *
     * @throws InvalidPlanException naming the first bad field
     */
    public static Plan edit(Plan plan, Map<String, String> changes) {
        if (changes.isEmpty()) {
            throw new InvalidPlanException("fields", "no change given; editable fields are " + allKeys());
        }
        Map<PlanField, String> parsed = keys(changes, true);
        Plan.Builder b = plan.toBuilder();
        for (Map.Entry<PlanField, String> e : parsed.entrySet()) {
            PlanField f = e.getKey();
            if (f == ADD_ON) {
                throw new InvalidPlanException(f.key, "cannot be changed after a plan is created; create a new plan instead");
            }
            if (plan.addOn() && !ADD_ON_FIELDS.contains(f)) {
                throw new InvalidPlanException(f.key, "does not apply to add-on plans (they only use displayName, priority and private)");
            }
            f.apply(b, e.getValue());
        }
        return b.build();
    }

    /**
     * Every field of the plan as text (plans.yaml spelling), add-on or not: with {@link #restore} a
     * lossless way to store a plan as key/value text (e.g. one row per field, or a JSON column).
     */
    public static Map<String, String> toFields(Plan plan) {
        Map<String, String> out = new LinkedHashMap<>();
        for (PlanField f : values()) {
            out.put(f.key, f.format(plan));
        }
        return out;
    }

    /**
     * The plan {@link #toFields} wrote: every field is applied over the baseline without the
     * create-time requirements (so stored add-on plans round-trip); all plan rules still apply.
     */
    public static Plan restore(String name, Map<String, String> fields) {
        Plan.Builder b = Plan.builder(name);
        keys(fields, false).forEach((f, v) -> f.apply(b, v));
        return b.build();
    }

    /** The fields whose values differ between two plans, as "key: old → new", in field order. */
    public static List<String> differences(Plan before, Plan after) {
        List<String> out = new ArrayList<>();
        for (PlanField f : values()) {
            String a = f.format(before);
            String b = f.format(after);
            if (!a.equals(b)) {
                out.add(f.key + ": " + a + " → " + b);
            }
        }
        return out;
    }

    /** All fields of a plan as "key=value" text in field order, for listings and audit entries. */
    public static String describe(Plan plan) {
        StringBuilder sb = new StringBuilder();
        for (PlanField f : values()) {
            if (plan.addOn() && !ADD_ON_FIELDS.contains(f)) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(f.key).append('=').append(f.format(plan));
        }
        return sb.toString();
    }

    private static Map<PlanField, String> keys(Map<String, String> fields, boolean editing) {
        Map<PlanField, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String key = e.getKey();
            if ("name".equals(key)) {
                throw new InvalidPlanException("name", editing
                        ? "a plan's name cannot be changed (mappings refer to it); create a plan with the new name and delete this one with it as the replacement"
                        : "is given separately, not as a field");
            }
            PlanField f = byKey(key).orElseThrow(() -> new InvalidPlanException(key,
                    "unknown field; known fields are " + allKeys()));
            if (e.getValue() == null) {
                throw new InvalidPlanException(key, "has no value (" + f.hint() + ")");
            }
            out.put(f, e.getValue().strip());
        }
        return out;
    }

    /** What values the field accepts, for messages. */
    public String hint() {
        return switch (this) {
            case DISPLAY_NAME -> "text, 1 to 64 characters";
            case PRIORITY -> "a whole number; higher wins when several roles or SKUs map to plans";
            case ADD_ON, COMMERCIAL -> "true or false";
            case IMAGES -> "a whole number of 0 or more, or unlimited";
            case RENEWS -> "never or monthly";
            case LANE -> "fast or relax";
            case RELAX_AFTER -> "a whole number of 0 or more, or none";
            case MAX_RUNNING, MAX_QUEUED, MAX_STEPS, MAX_PIXELS, MAX_SIDE, MAX_UPSCALE -> "a whole number";
            case PRIVATE -> "none, addon or included";
        };
    }

    /** The field's value in {@code plan}, written as plans.yaml would write it. */
    public String format(Plan p) {
        return switch (this) {
            case DISPLAY_NAME -> p.displayName();
            case PRIORITY -> Integer.toString(p.priority());
            case ADD_ON -> Boolean.toString(p.addOn());
            case IMAGES -> p.images().isPresent() ? Integer.toString(p.images().getAsInt()) : "unlimited";
            case RENEWS -> p.renewal().key();
            case LANE -> p.lane().key();
            case RELAX_AFTER -> p.relaxAfter().isPresent() ? Integer.toString(p.relaxAfter().getAsInt()) : "none";
            case MAX_RUNNING -> Integer.toString(p.maxRunning());
            case MAX_QUEUED -> Integer.toString(p.maxQueued());
            case MAX_STEPS -> Integer.toString(p.maxSteps());
            case MAX_PIXELS -> Integer.toString(p.maxPixels());
            case MAX_SIDE -> Integer.toString(p.maxSide());
            case MAX_UPSCALE -> Integer.toString(p.maxUpscale());
            case COMMERCIAL -> Boolean.toString(p.commercial());
            case PRIVATE -> p.privateAccess().key();
        };
    }

    /** Parses {@code raw} and stores it in the builder; throws {@link InvalidPlanException} naming this field. */
    public void apply(Plan.Builder b, String raw) {
        String v = raw.strip();
        switch (this) {
            case DISPLAY_NAME -> b.displayName(v);
            case PRIORITY -> b.priority(parseInt(v));
            case ADD_ON -> b.addOn(parseBoolean(this, v));
            case IMAGES -> {
                if (v.equalsIgnoreCase("unlimited")) {
                    b.unlimitedImages();
                } else {
                    b.images(parseInt(v));
                }
            }
            case RENEWS -> b.renewal(parseEnum(v, Renewal.class));
            case LANE -> b.lane(parseEnum(v, Lane.class));
            case RELAX_AFTER -> {
                if (v.equalsIgnoreCase("none")) {
                    b.noRelaxAfter();
                } else {
                    b.relaxAfter(parseInt(v));
                }
            }
            case MAX_RUNNING -> b.maxRunning(parseInt(v));
            case MAX_QUEUED -> b.maxQueued(parseInt(v));
            case MAX_STEPS -> b.maxSteps(parseInt(v));
            case MAX_PIXELS -> b.maxPixels(parseInt(v));
            case MAX_SIDE -> b.maxSide(parseInt(v));
            case MAX_UPSCALE -> b.maxUpscale(parseInt(v));
            case COMMERCIAL -> b.commercial(parseBoolean(this, v));
            case PRIVATE -> b.privateAccess(parseEnum(v, PrivateAccess.class));
        }
    }

    private int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidPlanException(key, "expected " + hint() + " (got '" + v + "')");
        }
    }

    private static boolean parseBoolean(PlanField f, String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidPlanException(f.key, "expected true or false (got '" + v + "')");
    }

    private <E extends Enum<E>> E parseEnum(String v, Class<E> type) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidPlanException(key, "expected " + hint() + " (got '" + v + "')");
        }
    }
}
