package dev.easel.application;

import java.util.Set;

/**
 * What the platform reports about a member at the time of a request, for the quota's plan resolution: the Discord
 * role ids they hold in the guild and the SKU ids of their active entitlements. Not stored with the job.
 */
public record Membership(Set<String> roleIds, Set<String> skuIds) {
    /** No roles and no entitlements (direct messages, the command line, tests). */
    public static final Membership NONE = new Membership(Set.of(), Set.of());

    public Membership {
        roleIds = Set.copyOf(roleIds);
        skuIds = Set.copyOf(skuIds);
    }
}
