package dev.easel.domain.quota;

import java.util.List;
import java.util.Objects;

/**
 * Which plan applies to a member, and why.
 *
 * @param plan            the base plan
 * @param source          where it came from
 * @param detail          human-readable detail: "assigned by 42 until 2025-04-01 00:00 UTC", "role 123",
 *                        "SKU 456", "guild default"
 * @param addOns          active add-on plans (whether or not the base plan allows them)
 * @param privateResults  whether the member may have private results (plan includes private, or
 *                        allows it as an add-on and an add-on is active)
 */
public record PlanResolution(Plan plan, PlanSource source, String detail, List<Plan> addOns, boolean privateResults) {
    public PlanResolution {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(detail, "detail");
        addOns = List.copyOf(addOns);
    }
}
