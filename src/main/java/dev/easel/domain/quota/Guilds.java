package dev.easel.domain.quota;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Loading a guild's configuration (creating it from the defaults on first use) and resolving plans. */
final class Guilds {
    /** Highest priority first, then name. */
    static final Comparator<Plan> BEST_FIRST = Comparator.comparingInt(Plan::priority).reversed()
            .thenComparing(Plan::name);

    private final PlanDefaults defaults;

    Guilds(PlanDefaults defaults) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    /** A guild's settings, plans and mappings as read in one transaction. */
    record Config(GuildSettings settings, Map<String, Plan> plans, Map<String, String> roles, Map<String, String> skus) {
        Plan plan(String name) {
            return plans.get(name);
        }

        List<Plan> sortedPlans() {
            return plans.values().stream().sorted(BEST_FIRST).toList();
        }
    }

    /** The guild's settings, creating the guild with the default plans if it was never seen. */
    GuildSettings ensure(QuotaTx tx, String guildId, Instant now) {
        Ids.check("guild", guildId);
        return tx.guild(guildId).orElseGet(() -> {
            tx.createGuild(new GuildSettings(guildId, defaults.defaultPlan(), defaults.periodMode(), now), defaults.plans());
            return tx.guild(guildId).orElseThrow(() -> new IllegalStateException("guild " + guildId + " was not created"));
        });
    }

    Config load(QuotaTx tx, GuildSettings settings) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        for (Plan p : tx.plans(settings.guildId())) {
            plans.put(p.name(), p);
        }
        return new Config(settings, plans, tx.roleMappings(settings.guildId()), tx.skuMappings(settings.guildId()));
    }

    Config load(QuotaTx tx, String guildId, Instant now) {
        return load(tx, ensure(tx, guildId, now));
    }

    private record Candidate(Plan plan, String detail) {
    }

    private static final Comparator<Candidate> BEST_CANDIDATE = Comparator
            .comparing(Candidate::plan, BEST_FIRST).thenComparing(Candidate::detail);

    /**
     * The member's plan: an active base-plan assignment, else the best base plan mapped from one of
     * their roles, else the best mapped from one of their SKUs, else the guild default. "Best" is the
     * highest priority, then the plan name, then the role/SKU id (all ascending), so the choice never
     * depends on iteration order. Add-ons come from assignments, roles and SKUs alike.
     */
    static PlanResolution resolve(Config g, List<Assignment> assignments, Set<String> roleIds, Set<String> skuIds,
                                  Instant now) {
        List<Candidate> assigned = new ArrayList<>();
        List<Candidate> byRole = new ArrayList<>();
        List<Candidate> bySku = new ArrayList<>();
        Map<String, Plan> addOns = new HashMap<>();
        for (Assignment a : assignments) {
            Plan p = g.plan(a.plan());
            if (p == null || !a.activeAt(now)) {
                continue;
            }
            if (p.addOn()) {
                addOns.put(p.name(), p);
            } else {
                assigned.add(new Candidate(p, "assigned by " + a.assignedBy() + " on " + QuotaMessages.when(a.assignedAt())
                        + a.expiresAt().map(t -> ", until " + QuotaMessages.when(t)).orElse("")));
            }
        }
        collect(g.plans(), g.roles(), roleIds, "role ", byRole, addOns);
        collect(g.plans(), g.skus(), skuIds, "SKU ", bySku, addOns);

        Plan plan;
        PlanSource source;
        String detail;
        if (!assigned.isEmpty()) {
            Candidate c = assigned.stream().min(BEST_CANDIDATE).orElseThrow();
            plan = c.plan();
            source = PlanSource.ASSIGNMENT;
            detail = c.detail();
        } else if (!byRole.isEmpty()) {
            Candidate c = byRole.stream().min(BEST_CANDIDATE).orElseThrow();
            plan = c.plan();
            source = PlanSource.ROLE;
            detail = c.detail();
        } else if (!bySku.isEmpty()) {
            Candidate c = bySku.stream().min(BEST_CANDIDATE).orElseThrow();
            plan = c.plan();
            source = PlanSource.ENTITLEMENT;
            detail = c.detail();
        } else {
            plan = g.plan(g.settings().defaultPlan());
            if (plan == null) {
                throw new IllegalStateException("guild " + g.settings().guildId() + " has no default plan '"
                        + g.settings().defaultPlan() + "'");
            }
            source = PlanSource.GUILD_DEFAULT;
            detail = "guild default";
        }
        List<Plan> addOnList = addOns.values().stream().sorted(Comparator.comparing(Plan::name)).toList();
        boolean privateResults = plan.privateAccess() == PrivateAccess.INCLUDED
                || (plan.privateAccess() == PrivateAccess.ADDON && !addOnList.isEmpty());
        return new PlanResolution(plan, source, detail, addOnList, privateResults);
    }

    private static void collect(Map<String, Plan> plans, Map<String, String> mapping, Set<String> ids, String label,
                                List<Candidate> base, Map<String, Plan> addOns) {
        for (String id : new TreeSet<>(ids)) {
            String name = mapping.get(id);
            Plan p = name == null ? null : plans.get(name);
            if (p == null) {
                continue;
            }
            if (p.addOn()) {
                addOns.put(p.name(), p);
            } else {
                base.add(new Candidate(p, label + id));
            }
        }
    }

    /**
     * The account with its subscription brought up to date: a new subscription starting now when the
     * plan changed, except when the previous plan no longer exists (deleted and replaced), in which
     * case the replacement keeps the old start.
     */
    static Account subscribe(Account account, Plan plan, Config g, Instant now) {
        Subscription s = account.subscription();
        if (s != null && s.plan().equals(plan.name())) {
            return account;
        }
        Instant since = s != null && !g.plans().containsKey(s.plan()) ? s.since() : now;
        return account.withSubscription(new Subscription(plan.name(), since));
    }

    /** The lane of a job on {@code plan} when {@code usedBefore} images were used this period. */
    static Lane lane(Plan plan, int usedBefore) {
        if (plan.lane() == Lane.RELAX) {
            return Lane.RELAX;
        }
        if (plan.relaxAfter().isPresent() && usedBefore >= plan.relaxAfter().getAsInt()) {
            return Lane.RELAX;
        }
        return Lane.FAST;
    }

    static String day(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
}
