package dev.easel.domain.quota;

/** Where a member's plan came from, in order of precedence (first wins). */
public enum PlanSource {
    /** An admin assigned the plan to the member explicitly (possibly until an expiry). */
    ASSIGNMENT,
    /** One of the member's Discord roles is mapped to the plan. */
    ROLE,
    /** One of the member's Discord entitlements (a SKU bought in the app store) is mapped to the plan. */
    ENTITLEMENT,
    /** Nothing else applied: the guild's default plan. */
    GUILD_DEFAULT
}
