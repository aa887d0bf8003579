package dev.easel.domain.quota;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The plans (and guild settings) a guild starts with: read from config/plans.yaml and copied into a
 * guild's own settings the first time the guild is seen. Later edits to plans.yaml do not change
 * guilds that already have their copy.
 *
 * @param plans       at least one plan, names unique
 * @param defaultPlan name of a base (non-add-on) plan in {@code plans}
 * @param periodMode  calendar months or subscription anniversaries
 */
public record PlanDefaults(List<Plan> plans, String defaultPlan, PeriodMode periodMode) {
    public PlanDefaults {
        plans = List.copyOf(plans);
        Objects.requireNonNull(periodMode, "periodMode");
        if (plans.isEmpty()) {
            throw new InvalidPlanException("plans", "at least one plan is required");
        }
        Set<String> names = new HashSet<>();
        for (Plan p : plans) {
            if (!names.add(p.name())) {
                throw new InvalidPlanException("name", "two plans are named " + p.name());
            }
        }
        if (defaultPlan == null || defaultPlan.isBlank()) {
            throw new InvalidPlanException("defaultPlan", "is required: the plan of members nothing else applies to");
        }
        Plan d = plans.stream().filter(p -> p.name().equals(defaultPlan)).findFirst()
                .orElseThrow(() -> new InvalidPlanException("defaultPlan", "unknown plan '" + defaultPlan
                        + "'; plans are " + String.join(", ", names.stream().sorted().toList())));
        if (d.addOn()) {
            throw new InvalidPlanException("defaultPlan", "'" + defaultPlan + "' is an add-on plan; the default must be a base plan");
        }
    }
}
