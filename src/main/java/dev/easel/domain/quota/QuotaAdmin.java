package dev.easel.domain.quota;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A guild admin's quota operations. Whether the caller is an admin is the platform adapter's
 * decision; {@code actorId} is who made the change. Every change is recorded in the audit log (who,
 * when, what changed) in the same transaction; a {@link AdminResult.Rejected} change writes nothing.
 *
 * <p>Rules:
 * <ul>
 *   <li>Plan fields follow {@link Plan} and {@link PlanField}; a bad value is refused with a message
 *       naming the field. Plan names are unique in a guild and cannot change.</li>
 *   <li>A plan in use (the guild default, assigned to someone, or mapped from a role or SKU) can only
 *       be deleted with a replacement of the same kind (base or add-on), which takes over all those
 *       uses. Members' usage counted on the deleted plan is not carried over, but their
 *       subscription start (renewal date) is.</li>
 *   <li>A member has at most one base-plan assignment: assigning another base plan replaces it.
 *       Assigning a different base plan starts a new subscription (period anchor) now.</li>
 *   <li>Bonus images: 1 to 1,000,000 per grant; they add to the member's bonus, spent after the
 *       plan's images and never expire.</li>
 *   <li>Reset usage zeroes the delivered-image counts of every plan and period of the member (the
 *       trial included); open reservations and the bonus are untouched.</li>
 * </ul>
 */
public final class QuotaAdmin {
    public static final int MAX_BONUS_GRANT = 1_000_000;

    private final QuotaStore store;
    private final Clock clock;
    private final Guilds guilds;

    public QuotaAdmin(QuotaStore store, Clock clock, PlanDefaults defaults) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.guilds = new Guilds(defaults);
    }

    // ---- queries ------------------------------------------------------------------------------

    /** The guild's plans, highest priority first, then by name. */
    public List<Plan> plans(String guildId) {
        return store.inTransaction(tx -> guilds.load(tx, guildId, clock.instant()).sortedPlans());
    }

    /** Default plan, period mode, plans and role/SKU mappings. */
    public GuildQuotaConfig config(String guildId) {
        return store.inTransaction(tx -> {
            Guilds.Config g = guilds.load(tx, guildId, clock.instant());
            return new GuildQuotaConfig(g.settings(), g.sortedPlans(), g.roles(), g.skus());
        });
    }

    /** The member's assignments, expired ones included, by plan name. */
    public List<Assignment> assignments(String guildId, String userId) {
        return store.inTransaction(tx -> tx.assignments(guildId, Ids.check("user", userId)).stream()
                .sorted(java.util.Comparator.comparing(Assignment::plan)).toList());
    }

    /** The guild's newest {@code limit} audit entries, newest first. */
    public List<AuditEntry> auditLog(String guildId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return store.inTransaction(tx -> tx.audit(Ids.check("guild", guildId), limit));
    }

    // ---- plans --------------------------------------------------------------------------------

    /** Adds a plan. */
    public AdminResult createPlan(String actorId, String guildId, Plan plan) {
        Objects.requireNonNull(plan, "plan");
        return change(actorId, guildId, (tx, g) -> {
            if (g.plans().containsKey(plan.name())) {
                return rejected("name", "a plan named " + plan.name() + " already exists");
            }
            tx.savePlan(guildId, plan);
            return audit(AuditAction.PLAN_CREATED, plan.name(), "created: " + PlanField.describe(plan));
        });
    }

    /**
     * Adds a plan from text fields (as a slash command gives them). With {@code copyOf}, the new plan
     * starts as a copy of that plan (display name = the new name unless given) and {@code fields}
     * change it; without, {@link PlanField#create} applies (images, renews and lane required).
     */
    public AdminResult createPlan(String actorId, String guildId, String name, Optional<String> copyOf,
                                  Map<String, String> fields) {
        return change(actorId, guildId, (tx, g) -> {
            Plan.checkName(name);
            if (g.plans().containsKey(name)) {
                return rejected("name", "a plan named " + name + " already exists");
            }
            Plan plan;
            if (copyOf.isPresent()) {
                Plan source = g.plan(copyOf.get());
                if (source == null) {
                    return rejected("copyOf", unknownPlan(copyOf.get(), g));
                }
                Plan copy = source.toBuilder().name(name).displayName(name).build();
                plan = fields.isEmpty() ? copy : PlanField.edit(copy, fields);
            } else {
                plan = PlanField.create(name, fields);
            }
            tx.savePlan(guildId, plan);
            return audit(AuditAction.PLAN_CREATED, name, "created" + copyOf.map(c -> " from " + c).orElse("") + ": "
                    + PlanField.describe(plan));
        });
    }

    /** Changes fields of a plan, e.g. {@code Map.of("images", "200")}. */
    public AdminResult editPlan(String actorId, String guildId, String planName, Map<String, String> changes) {
        return change(actorId, guildId, (tx, g) -> {
            Plan before = g.plan(planName);
            if (before == null) {
                return rejected("plan", unknownPlan(planName, g));
            }
            Plan after = PlanField.edit(before, changes);
            List<String> diff = PlanField.differences(before, after);
            if (diff.isEmpty()) {
                return rejected(changes.keySet().iterator().next(), "nothing changed: the plan already has these values");
            }
            tx.savePlan(guildId, after);
            return audit(AuditAction.PLAN_EDITED, planName, String.join("; ", diff));
        });
    }

    /**
     * Deletes a plan. If it is in use (guild default, assignments, role or SKU mappings), a
     * replacement of the same kind is required and takes over every use; a member who already has an
     * assignment of the replacement keeps that one.
     */
    public AdminResult deletePlan(String actorId, String guildId, String planName, Optional<String> replacement) {
        return change(actorId, guildId, (tx, g) -> {
            Plan doomed = g.plan(planName);
            if (doomed == null) {
                return rejected("plan", unknownPlan(planName, g));
            }
            boolean isDefault = g.settings().defaultPlan().equals(planName);
            List<Assignment> assigned = tx.assignmentsOfPlan(guildId, planName);
            List<String> roles = keysMappedTo(g.roles(), planName);
            List<String> skus = keysMappedTo(g.skus(), planName);
            List<String> uses = new ArrayList<>();
            if (isDefault) {
                uses.add("guild default");
            }
            if (!assigned.isEmpty()) {
                uses.add("assigned to users " + String.join(", ", new TreeSet<>(assigned.stream().map(Assignment::userId).toList())));
            }
            if (!roles.isEmpty()) {
                uses.add("roles " + String.join(", ", roles));
            }
            if (!skus.isEmpty()) {
                uses.add("SKUs " + String.join(", ", skus));
            }
            Plan successor = null;
            if (replacement.isPresent()) {
                String rep = replacement.get();
                if (rep.equals(planName)) {
                    return rejected("replacement", "must be another plan than the one deleted (" + planName + ")");
                }
                successor = g.plan(rep);
                if (successor == null) {
                    return rejected("replacement", unknownPlan(rep, g));
                }
                if (successor.addOn() != doomed.addOn()) {
                    return rejected("replacement", rep + (successor.addOn() ? " is an add-on plan and " : " is a base plan and ")
                            + planName + " is not; the replacement must be of the same kind");
                }
            } else if (!uses.isEmpty()) {
                return rejected("replacement", "plan " + planName + " is in use (" + String.join("; ", uses)
                        + "); choose a replacement plan to take over these uses");
            }
            if (successor != null) {
                String rep = successor.name();
                if (isDefault) {
                    tx.saveGuild(g.settings().withDefaultPlan(rep));
                }
                for (Assignment a : assigned) {
                    tx.deleteAssignment(guildId, a.userId(), planName);
                    boolean hasReplacement = tx.assignments(guildId, a.userId()).stream()
                            .anyMatch(o -> o.plan().equals(rep));
                    if (!hasReplacement) {
                        tx.saveAssignment(a.withPlan(rep));
                    }
                }
                roles.forEach(role -> tx.mapRole(guildId, role, rep));
                skus.forEach(sku -> tx.mapSku(guildId, sku, rep));
            }
            tx.deletePlan(guildId, planName);
            String change = "deleted (" + PlanField.describe(doomed) + ")";
            if (successor != null && !uses.isEmpty()) {
                change += "; " + successor.name() + " took over: " + String.join("; ", uses);
            }
            return audit(AuditAction.PLAN_DELETED, planName, change);
        });
    }

    // ---- guild settings -----------------------------------------------------------------------

    /** Sets the plan of members nothing else applies to (a base plan). */
    public AdminResult setDefaultPlan(String actorId, String guildId, String planName) {
        return change(actorId, guildId, (tx, g) -> {
            Plan p = g.plan(planName);
            if (p == null) {
                return rejected("plan", unknownPlan(planName, g));
            }
            if (p.addOn()) {
                return rejected("plan", planName + " is an add-on plan; the default must be a base plan");
            }
            String before = g.settings().defaultPlan();
            if (before.equals(planName)) {
                return rejected("plan", planName + " is already the default plan");
            }
            tx.saveGuild(g.settings().withDefaultPlan(planName));
            return audit(AuditAction.DEFAULT_PLAN_SET, "guild", "default plan: " + before + " → " + planName);
        });
    }

    /**
     * Sets whether periods are calendar months or subscription anniversaries. Members' counts start
     * afresh in the new kind of period (their meters are keyed by period start).
     */
    public AdminResult setPeriodMode(String actorId, String guildId, PeriodMode mode) {
        Objects.requireNonNull(mode, "mode");
        return change(actorId, guildId, (tx, g) -> {
            PeriodMode before = g.settings().periodMode();
            if (before == mode) {
                return rejected("periods", "periods are already " + mode.key());
            }
            tx.saveGuild(g.settings().withPeriodMode(mode));
            return audit(AuditAction.PERIOD_MODE_SET, "guild", "periods: " + before.key() + " → " + mode.key());
        });
    }

    // ---- members ------------------------------------------------------------------------------

    /**
     * Assigns a plan to a member, optionally until {@code expiresAt} (which must be in the future). A
     * base plan replaces the member's previous base-plan assignment; an add-on is added.
     */
    public AdminResult assign(String actorId, String guildId, String userId, String planName,
                              Optional<Instant> expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt");
        return change(actorId, guildId, (tx, g) -> {
            Ids.check("user", userId);
            Instant now = clock.instant();
            Plan p = g.plan(planName);
            if (p == null) {
                return rejected("plan", unknownPlan(planName, g));
            }
            if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
                return rejected("expiresAt", "must be in the future (now is " + QuotaMessages.when(now) + ", got "
                        + QuotaMessages.when(expiresAt.get()) + ")");
            }
            List<String> replaced = new ArrayList<>();
            for (Assignment a : tx.assignments(guildId, userId)) {
                Plan other = g.plan(a.plan());
                if (!p.addOn() && !a.plan().equals(planName) && (other == null || !other.addOn())) {
                    tx.deleteAssignment(guildId, userId, a.plan());
                    replaced.add(a.plan());
                }
            }
            tx.saveAssignment(new Assignment(guildId, userId, planName, actorId, now, expiresAt));
            if (!p.addOn()) {
                Account acc = tx.lockAccount(guildId, userId);
                Subscription s = acc.subscription();
                if (s == null || !s.plan().equals(planName)) {
                    tx.saveAccount(acc.withSubscription(new Subscription(planName, now)));
                }
            }
            return audit(AuditAction.USER_ASSIGNED, "user " + userId, "plan " + planName
                    + expiresAt.map(t -> " until " + QuotaMessages.when(t)).orElse(" without expiry")
                    + (replaced.isEmpty() ? "" : " (replaces " + String.join(", ", replaced) + ")"));
        });
    }

    /** Removes the member's assignment of the plan. */
    public AdminResult unassign(String actorId, String guildId, String userId, String planName) {
        return change(actorId, guildId, (tx, g) -> {
            Ids.check("user", userId);
            if (!tx.deleteAssignment(guildId, userId, planName)) {
                return rejected("plan", "user " + userId + " has no assignment of plan " + planName);
            }
            return audit(AuditAction.USER_UNASSIGNED, "user " + userId, "plan " + planName + " unassigned");
        });
    }

    /** Maps a Discord role to a plan (replacing the role's previous mapping). */
    public AdminResult mapRole(String actorId, String guildId, String roleId, String planName) {
        return map(actorId, guildId, "role", roleId, planName, AuditAction.ROLE_MAPPED);
    }

    public AdminResult unmapRole(String actorId, String guildId, String roleId) {
        return unmap(actorId, guildId, "role", roleId, AuditAction.ROLE_UNMAPPED);
    }

    /** Maps a Discord SKU (entitlement) to a plan (replacing the SKU's previous mapping). */
    public AdminResult mapSku(String actorId, String guildId, String skuId, String planName) {
        return map(actorId, guildId, "sku", skuId, planName, AuditAction.SKU_MAPPED);
    }

    public AdminResult unmapSku(String actorId, String guildId, String skuId) {
        return unmap(actorId, guildId, "sku", skuId, AuditAction.SKU_UNMAPPED);
    }

    private AdminResult map(String actorId, String guildId, String kind, String id, String planName, AuditAction action) {
        return change(actorId, guildId, (tx, g) -> {
            Ids.check(kind, id);
            if (g.plan(planName) == null) {
                return rejected("plan", unknownPlan(planName, g));
            }
            String before = (kind.equals("role") ? g.roles() : g.skus()).get(id);
            if (planName.equals(before)) {
                return rejected(kind, kind + " " + id + " is already mapped to " + planName);
            }
            if (kind.equals("role")) {
                tx.mapRole(guildId, id, planName);
            } else {
                tx.mapSku(guildId, id, planName);
            }
            return audit(action, kind + " " + id, "plan: " + (before == null ? "none" : before) + " → " + planName);
        });
    }

    private AdminResult unmap(String actorId, String guildId, String kind, String id, AuditAction action) {
        return change(actorId, guildId, (tx, g) -> {
            Ids.check(kind, id);
            String before = (kind.equals("role") ? g.roles() : g.skus()).get(id);
            if (before == null) {
                return rejected(kind, kind + " " + id + " is not mapped to a plan");
            }
            if (kind.equals("role")) {
                tx.unmapRole(guildId, id);
            } else {
                tx.unmapSku(guildId, id);
            }
            return audit(action, kind + " " + id, "plan: " + before + " → none");
        });
    }

    /** Adds one-off bonus images to the member (spent after the plan's images; they never expire). */
    public AdminResult grantBonus(String actorId, String guildId, String userId, int images) {
        return change(actorId, guildId, (tx, g) -> {
            Ids.check("user", userId);
            if (images < 1 || images > MAX_BONUS_GRANT) {
                return rejected("images", "must be between 1 and " + MAX_BONUS_GRANT + " (got " + images + ")");
            }
            Account a = tx.lockAccount(guildId, userId);
            long total = (long) a.bonusImages() + images;
            if (total > Plan.MAX_IMAGES) {
                return rejected("images", "the bonus would exceed " + Plan.MAX_IMAGES + " images (it is " + a.bonusImages() + ")");
            }
            tx.saveAccount(a.withBonus((int) total));
            return audit(AuditAction.BONUS_GRANTED, "user " + userId, "bonus: " + a.bonusImages() + " → " + total
                    + " (+" + images + ")");
        });
    }

    /** Sets the member's delivered-image counts on every plan and period to 0 (trial included). */
    public AdminResult resetUsage(String actorId, String guildId, String userId) {
        return change(actorId, guildId, (tx, g) -> {
            Ids.check("user", userId);
            tx.lockAccount(guildId, userId);
            List<String> changes = new ArrayList<>();
            List<Meter> meters = new ArrayList<>(tx.meters(guildId, userId));
            meters.sort(java.util.Comparator.comparing(Meter::plan).thenComparing(Meter::periodStart));
            for (Meter m : meters) {
                if (m.committed() > 0) {
                    tx.saveMeter(m.with(0, m.pending()));
                    String period = m.periodStart().equals(Instant.EPOCH) ? "trial" : "period from " + Guilds.day(m.periodStart());
                    changes.add(m.plan() + " (" + period + "): " + m.committed() + " → 0");
                }
            }
            if (changes.isEmpty()) {
                return rejected("user", "user " + userId + " has no used images to reset");
            }
            return audit(AuditAction.USAGE_RESET, "user " + userId, "used images " + String.join("; ", changes));
        });
    }

    // ---- internals ----------------------------------------------------------------------------

    /** What a change produced before it is stored: a rejection, or an audit entry to record. */
    private sealed interface Outcome permits Reject, Audit {
    }

    private record Reject(String field, String message) implements Outcome {
    }

    private record Audit(AuditAction action, String subject, String change) implements Outcome {
    }

    private static Outcome rejected(String field, String problem) {
        return new Reject(field, field + ": " + problem);
    }

    private static Outcome audit(AuditAction action, String subject, String change) {
        return new Audit(action, subject, change);
    }

    @FunctionalInterface
    private interface Change {
        Outcome apply(QuotaTx tx, Guilds.Config guild);
    }

    /**
     * Runs one admin change: creates the guild on first use, locks its settings, applies the change,
     * and records the audit entry. A rejection (or an invalid plan field) rolls back everything the
     * change wrote, so nothing is half done.
     */
    private AdminResult change(String actorId, String guildId, Change change) {
        Ids.check("actor", actorId);
        Ids.check("guild", guildId);
        Instant now = clock.instant();
        store.inTransaction(tx -> guilds.ensure(tx, guildId, now));
        try {
            return store.inTransaction((Function<QuotaTx, AdminResult>) tx -> {
                GuildSettings locked = tx.lockGuild(guildId);
                Outcome outcome = change.apply(tx, guilds.load(tx, locked));
                if (outcome instanceof Reject r) {
                    throw new Rollback(new AdminResult.Rejected(r.field(), r.message()));
                }
                Audit a = (Audit) outcome;
                return new AdminResult.Done(tx.appendAudit(new AuditEntry(0, guildId, actorId, now, a.action(),
                        a.subject(), a.change())));
            });
        } catch (Rollback r) {
            return r.result;
        } catch (InvalidPlanException e) {
            return new AdminResult.Rejected(e.field(), e.getMessage());
        }
    }

    /** Unwinds a transaction whose change was rejected, carrying the answer out. */
    private static final class Rollback extends RuntimeException {
        final AdminResult.Rejected result;

        Rollback(AdminResult.Rejected result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    private static List<String> keysMappedTo(Map<String, String> mapping, String planName) {
        return mapping.entrySet().stream().filter(e -> e.getValue().equals(planName)).map(Map.Entry::getKey)
                .sorted().toList();
    }

    private static String unknownPlan(String name, Guilds.Config g) {
        return "unknown plan '" + name + "'; plans are " + String.join(", ", new TreeSet<>(g.plans().keySet()));
    }
}
