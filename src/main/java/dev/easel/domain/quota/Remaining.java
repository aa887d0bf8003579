package dev.easel.domain.quota;

import java.util.OptionalInt;

/**
 * What a member can still spend.
 *
 * @param planImages images left on the plan this period (empty = unlimited)
 * @param bonusImages one-off bonus images left (spent after the plan's images, never expire)
 */
public record Remaining(OptionalInt planImages, int bonusImages) {
    public static Remaining unlimited(int bonus) {
        return new Remaining(OptionalInt.empty(), bonus);
    }

    public static Remaining of(int planImages, int bonus) {
        return new Remaining(OptionalInt.of(planImages), bonus);
    }

    public boolean isUnlimited() {
        return planImages.isEmpty();
    }

    /** Plan images plus bonus, or empty when unlimited. */
    public OptionalInt total() {
        return planImages.isPresent() ? OptionalInt.of(planImages.getAsInt() + bonusImages) : OptionalInt.empty();
    }
}
