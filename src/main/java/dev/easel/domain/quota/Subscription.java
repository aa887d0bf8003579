package dev.easel.domain.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * The base plan a member was last seen on, and since when: the anchor of anniversary periods. It
 * starts anew when the member's resolved plan changes (or an admin assigns a different plan); when
 * the old plan was deleted and replaced, the replacement keeps the old start.
 */
public record Subscription(String plan, Instant since) {
    public Subscription {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(since, "since");
    }
}
