package dev.easel.domain.quota;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One plan of a guild. Every number is data: the defaults come from config/plans.yaml and each guild
 * edits its own copy. The constructor enforces every single-plan rule and throws
 * {@link InvalidPlanException} naming the field; rules across plans (unique names, the default plan)
 * are checked by {@link QuotaAdmin} and {@link PlanDefaults}.
 *
 * @param name          id used in commands and mappings: 1–32 of {@code a-z 0-9 - _}, starting with a
 *                      letter or digit; cannot change after creation
 * @param displayName   what members see ("Basic"), 1–64 characters
 * @param priority      when several roles or SKUs map to different plans, the highest priority wins
 * @param addOn         an add-on plan is never a member's base plan; it adds private results to a base
 *                      plan whose {@code private} is {@link PrivateAccess#ADDON}. Only displayName,
 *                      priority and private matter for add-ons.
 * @param images        images per period ({@link Renewal#MONTHLY}) or in total ({@link Renewal#NEVER});
 *                      empty = unlimited
 * @param renewal       whether the allowance renews monthly or never (a trial)
 * @param lane          the lane the plan's jobs run in
 * @param relaxAfter    for a fast plan: after this many images in a period, jobs run in the relax lane;
 *                      empty = always {@code lane}. At most {@code images} when images is limited.
 * @param maxRunning    jobs of one member running at once (at least 1)
 * @param maxQueued     jobs of one member queued or running at once (running ones included, so at
 *                      least maxRunning)
 * @param maxSteps      most sampling steps per job
 * @param maxPixels     most width × height of a generated image
 * @param maxSide       most pixels on either side of a generated image
 * @param maxUpscale    largest upscale factor; 0 = upscaling not included
 * @param commercial    whether the plan's results may be used commercially (shown to members)
 * @param privateAccess whether private results are unavailable, available with an add-on, or included
 */
public record Plan(
        String name,
        String displayName,
        int priority,
        boolean addOn,
        OptionalInt images,
        Renewal renewal,
        Lane lane,
        OptionalInt relaxAfter,
        int maxRunning,
        int maxQueued,
        int maxSteps,
        int maxPixels,
        int maxSide,
        int maxUpscale,
        boolean commercial,
        PrivateAccess privateAccess) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    public static final int MAX_IMAGES = 100_000_000;
    public static final int MAX_JOBS = 1_000;
    public static final int MAX_STEPS = 1_000;
    public static final int MAX_SIDE = 16_384;
    public static final int MAX_UPSCALE = 16;

    public Plan {
        checkName(name);
        if (displayName == null || displayName.isBlank()) {
            throw new InvalidPlanException("displayName", "must not be empty");
        }
        displayName = displayName.strip();
        if (displayName.length() > 64) {
            throw new InvalidPlanException("displayName", "must be at most 64 characters (got " + displayName.length() + ")");
        }
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(relaxAfter, "relaxAfter");
        if (renewal == null) {
            throw new InvalidPlanException("renews", "must be never or monthly");
        }
        if (lane == null) {
            throw new InvalidPlanException("lane", "must be fast or relax");
        }
        if (privateAccess == null) {
            throw new InvalidPlanException("private", "must be none, addon or included");
        }
        if (images.isPresent() && (images.getAsInt() < 0 || images.getAsInt() > MAX_IMAGES)) {
            throw new InvalidPlanException("images", "must be between 0 and " + MAX_IMAGES
                    + ", or unlimited (got " + images.getAsInt() + ")");
        }
        if (relaxAfter.isPresent()) {
            int r = relaxAfter.getAsInt();
            if (r < 0) {
                throw new InvalidPlanException("relaxAfter", "must be 0 or more, or none (got " + r + ")");
            }
            if (lane != Lane.FAST) {
                throw new InvalidPlanException("relaxAfter", "only applies to plans whose lane is fast (this plan's lane is "
                        + lane.key() + "); set it to none");
            }
            if (images.isPresent() && r > images.getAsInt()) {
                throw new InvalidPlanException("relaxAfter", r + " is above the plan's " + images.getAsInt()
                        + " images; it must be at most images");
            }
        }
        checkRange("maxRunning", maxRunning, 1, MAX_JOBS);
        checkRange("maxQueued", maxQueued, 1, MAX_JOBS);
        if (maxQueued < maxRunning) {
            throw new InvalidPlanException("maxQueued", "must be at least maxRunning (" + maxRunning
                    + ") because queued jobs include running ones (got " + maxQueued + ")");
        }
        checkRange("maxSteps", maxSteps, 1, MAX_STEPS);
        checkRange("maxPixels", maxPixels, 1, Integer.MAX_VALUE);
        checkRange("maxSide", maxSide, 1, MAX_SIDE);
        checkRange("maxUpscale", maxUpscale, 0, MAX_UPSCALE);
        if (addOn && privateAccess != PrivateAccess.INCLUDED) {
            throw new InvalidPlanException("private", "an add-on plan grants private results, so it must be included (got "
                    + privateAccess.key() + ")");
        }
    }

    /** Throws {@link InvalidPlanException} for field "name" unless {@code name} is a valid plan name. */
    public static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidPlanException("name", "must not be empty");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidPlanException("name", "'" + name + "' is not allowed: use 1 to 32 lowercase letters a-z, "
                    + "digits, '-' or '_', starting with a letter or digit");
        }
    }

    private static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidPlanException(field, "must be between " + min + " and " + max + " (got " + value + ")");
        }
    }

    public boolean isUnlimited() {
        return images.isEmpty();
    }

    /** True when the plan itself grants private results, or allows them through an add-on. */
    public boolean allowsPrivate() {
        return privateAccess != PrivateAccess.NONE;
    }

    /** A builder starting from this plan's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A builder with the baseline values used for fields a new plan does not state: displayName =
     * name, priority 0, not an add-on, unlimited images, monthly, fast, no relaxAfter, 1 running / 3
     * queued, 50 steps, 1,048,576 pixels (1024×1024), 1536 px per side, upscale up to 2×, not
     * commercial, private none.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Mutable, unchecked staging of a plan; {@link #build()} checks every rule. */
    public static final class Builder {
        String name;
        String displayName;
        int priority;
        boolean addOn;
        OptionalInt images = OptionalInt.empty();
        Renewal renewal = Renewal.MONTHLY;
        Lane lane = Lane.FAST;
        OptionalInt relaxAfter = OptionalInt.empty();
        int maxRunning = 1;
        int maxQueued = 3;
        int maxSteps = 50;
        int maxPixels = 1024 * 1024;
        int maxSide = 1536;
        int maxUpscale = 2;
        boolean commercial;
        PrivateAccess privateAccess = PrivateAccess.NONE;

        private Builder(String name) {
            this.name = name;
            this.displayName = name;
        }

        private Builder(Plan p) {
            name = p.name;
            displayName = p.displayName;
            priority = p.priority;
            addOn = p.addOn;
            images = p.images;
            renewal = p.renewal;
            lane = p.lane;
            relaxAfter = p.relaxAfter;
            maxRunning = p.maxRunning;
            maxQueued = p.maxQueued;
            maxSteps = p.maxSteps;
            maxPixels = p.maxPixels;
            maxSide = p.maxSide;
            maxUpscale = p.maxUpscale;
            commercial = p.commercial;
            privateAccess = p.privateAccess;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder displayName(String v) { displayName = v; return this; }
        public Builder priority(int v) { priority = v; return this; }
        public Builder addOn(boolean v) { addOn = v; return this; }
        public Builder images(int v) { images = OptionalInt.of(v); return this; }
        public Builder unlimitedImages() { images = OptionalInt.empty(); return this; }
        public Builder renewal(Renewal v) { renewal = v; return this; }
        public Builder lane(Lane v) { lane = v; return this; }
        public Builder relaxAfter(int v) { relaxAfter = OptionalInt.of(v); return this; }
        public Builder noRelaxAfter() { relaxAfter = OptionalInt.empty(); return this; }
        public Builder maxRunning(int v) { maxRunning = v; return this; }
        public Builder maxQueued(int v) { maxQueued = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder maxPixels(int v) { maxPixels = v; return this; }
        public Builder maxSide(int v) { maxSide = v; return this; }
        public Builder maxUpscale(int v) { maxUpscale = v; return this; }
        public Builder commercial(boolean v) { commercial = v; return this; }
        public Builder privateAccess(PrivateAccess v) { privateAccess = v; return this; }

        /** Checks every rule; throws {@link InvalidPlanException} naming the first field that breaks one. */
        public Plan build() {
            return new Plan(name, displayName, priority, addOn, images, renewal, lane, relaxAfter, maxRunning,
                    maxQueued, maxSteps, maxPixels, maxSide, maxUpscale, commercial, privateAccess);
        }
    }
}
