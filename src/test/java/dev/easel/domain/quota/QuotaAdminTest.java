package dev.easel.domain.quota;

import dev.easel.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaAdminTest {
    static final String G = "100";
    static final String U = "200";
    static final String ADMIN = "1";

    final MutableClock clock = MutableClock.at("2025-03-01T00:00:00Z");
    final InMemoryQuotaStore store = new InMemoryQuotaStore();
    final QuotaService quota = new QuotaService(store, clock, TestPlans.defaults());
    final QuotaAdmin admin = new QuotaAdmin(store, clock, TestPlans.defaults());

    AuditEntry done(AdminResult r) {
        return assertInstanceOf(AdminResult.Done.class, r, () -> r.toString()).audit();
    }

    AdminResult.Rejected rejected(AdminResult r) {
        return assertInstanceOf(AdminResult.Rejected.class, r, () -> r.toString());
    }

    void assertRejected(String field, String message, AdminResult r) {
        AdminResult.Rejected x = rejected(r);
        assertEquals(field, x.field());
        assertEquals(message, x.message());
    }

    Plan plan(String name) {
        return admin.plans(G).stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aGuildStartsWithTheDefaultPlansHighestPriorityFirst() {
        GuildQuotaConfig c = admin.config(G);
        assertEquals(List.of("standard", "basic", "free", "private"), c.plans().stream().map(Plan::name).toList());
        assertEquals("free", c.settings().defaultPlan());
        assertEquals(PeriodMode.ANNIVERSARY, c.settings().periodMode());
        assertEquals(TestPlans.standard(), c.plans().get(0));
        assertEquals(Map.of(), c.roleToPlan());
    }

    @Test
    void editingAPlanIsAuditedAndAppliesAtOnce() {
        // when an admin lowers basic to 8 images
        clock.set("2025-03-02T08:00:00Z");
        AuditEntry e = done(admin.editPlan(ADMIN, G, "basic", Map.of("images", "8")));
        // then the audit entry says who, when and what
        assertEquals(ADMIN, e.actorId());
        assertEquals(Instant.parse("2025-03-02T08:00:00Z"), e.at());
        assertEquals(AuditAction.PLAN_EDITED, e.action());
        assertEquals("basic", e.subject());
        assertEquals("images: 100 → 8", e.change());
        assertEquals(List.of(e), admin.auditLog(G, 10));
        // and a basic member gets two grids
        done(admin.assign(ADMIN, G, U, "basic", Optional.empty()));
        Member m = Member.of(G, U);
        assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid()));
        assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid()));
        assertEquals(DenialReason.QUOTA_EXHAUSTED, assertInstanceOf(Denied.class, quota.reserve(m, TestPlans.grid())).reason());
    }

    @Test
    void invalidEditsAreRefusedNamingTheFieldAndChangeNothing() {
        assertRejected("images", "images: must be between 0 and 100000000, or unlimited (got -1)",
                admin.editPlan(ADMIN, G, "basic", Map.of("images", "-1")));
        assertRejected("relaxAfter", "relaxAfter: 200 is above the plan's 100 images; it must be at most images",
                admin.editPlan(ADMIN, G, "basic", Map.of("relaxAfter", "200")));
        assertRejected("maxQueued", "maxQueued: must be at least maxRunning (3) because queued jobs include running ones (got 1)",
                admin.editPlan(ADMIN, G, "basic", Map.of("maxQueued", "1")));
        assertRejected("plan", "plan: unknown plan 'gold'; plans are basic, free, private, standard",
                admin.editPlan(ADMIN, G, "gold", Map.of("images", "1")));
        assertRejected("images", "images: nothing changed: the plan already has these values",
                admin.editPlan(ADMIN, G, "basic", Map.of("images", "100")));
        assertRejected("fields", "fields: no change given; editable fields are " + PlanField.allKeys(),
                admin.editPlan(ADMIN, G, "basic", Map.of()));
        assertEquals(TestPlans.basic(), plan("basic"));
        assertEquals(List.of(), admin.auditLog(G, 10));
    }

    @Test
    void creatingPlansChecksNamesAndFields() {
        // from fields
        AuditEntry e = done(admin.createPlan(ADMIN, G, "pro", Optional.empty(),
                Map.of("images", "500", "renews", "monthly", "lane", "fast", "priority", "15")));
        assertEquals(AuditAction.PLAN_CREATED, e.action());
        assertTrue(e.change().startsWith("created: displayName=pro, priority=15, addOn=false, images=500"), e.change());
        assertEquals(OptionalInt.of(500), plan("pro").images());
        // as a copy, with a change
        done(admin.createPlan(ADMIN, G, "mega", Optional.of("standard"), Map.of("relaxAfter", "2000")));
        Plan mega = plan("mega");
        assertEquals(OptionalInt.of(2000), mega.relaxAfter());
        assertEquals("mega", mega.displayName());
        assertEquals(TestPlans.standard().maxSide(), mega.maxSide());
        // from a Plan value
        done(admin.createPlan(ADMIN, G, TestPlans.basic().toBuilder().name("basic2").build()));
        // refusals
        assertRejected("name", "name: a plan named basic already exists",
                admin.createPlan(ADMIN, G, TestPlans.basic()));
        assertRejected("name", "name: a plan named pro already exists",
                admin.createPlan(ADMIN, G, "pro", Optional.empty(), Map.of()));
        assertRejected("name", "name: must not be empty", admin.createPlan(ADMIN, G, "", Optional.of("basic"), Map.of()));
        assertRejected("name", "name: 'Gold Plan' is not allowed: use 1 to 32 lowercase letters a-z, digits, '-' or '_', "
                + "starting with a letter or digit", admin.createPlan(ADMIN, G, "Gold Plan", Optional.of("basic"), Map.of()));
        assertRejected("images", "images: is required for a plan (a whole number of 0 or more, or unlimited)",
                admin.createPlan(ADMIN, G, "gold", Optional.empty(), Map.of("lane", "fast", "renews", "never")));
        assertRejected("copyOf", "copyOf: unknown plan 'silver'; plans are basic, basic2, free, mega, private, pro, standard",
                admin.createPlan(ADMIN, G, "gold", Optional.of("silver"), Map.of()));
        assertRejected("maxRunning", "maxRunning: must be between 1 and 1000 (got -3)",
                admin.createPlan(ADMIN, G, "gold", Optional.of("basic"), Map.of("maxRunning", "-3")));
        assertEquals(3, admin.auditLog(G, 10).size());
    }

    @Test
    void aPlanInUseCannotBeDeletedWithoutAReplacement() {
        // given basic is the default, assigned to two users, mapped from a role and a SKU
        done(admin.setDefaultPlan(ADMIN, G, "basic"));
        done(admin.assign(ADMIN, G, "201", "basic", Optional.empty()));
        done(admin.assign(ADMIN, G, "202", "basic", Optional.of(Instant.parse("2025-06-01T00:00:00Z"))));
        done(admin.mapRole(ADMIN, G, "501", "basic"));
        done(admin.mapSku(ADMIN, G, "701", "basic"));
        // when deleted without a replacement, the uses are listed
        assertRejected("replacement", "replacement: plan basic is in use (guild default; assigned to users 201, 202; "
                + "roles 501; SKUs 701); choose a replacement plan to take over these uses",
                admin.deletePlan(ADMIN, G, "basic", Optional.empty()));
        // bad replacements
        assertRejected("replacement", "replacement: must be another plan than the one deleted (basic)",
                admin.deletePlan(ADMIN, G, "basic", Optional.of("basic")));
        assertRejected("replacement", "replacement: unknown plan 'gold'; plans are basic, free, private, standard",
                admin.deletePlan(ADMIN, G, "basic", Optional.of("gold")));
        assertRejected("replacement", "replacement: private is an add-on plan and basic is not; the replacement must be of the same kind",
                admin.deletePlan(ADMIN, G, "basic", Optional.of("private")));
        assertEquals("basic", admin.config(G).settings().defaultPlan());
    }

    @Test
    void deletingWithAReplacementMovesEveryUse() {
        // given basic in use everywhere, and user 202 on basic since Mar 1 with 40 images used
        done(admin.setDefaultPlan(ADMIN, G, "basic"));
        done(admin.assign(ADMIN, G, "201", "basic", Optional.empty()));
        done(admin.assign(ADMIN, G, "202", "basic", Optional.of(Instant.parse("2025-06-01T00:00:00Z"))));
        done(admin.mapRole(ADMIN, G, "501", "basic"));
        done(admin.mapSku(ADMIN, G, "701", "basic"));
        Member m202 = Member.of(G, "202");
        quota.commit(assertInstanceOf(Granted.class, quota.reserve(m202, TestPlans.grid().withImages(40))).reservationId());
        // when basic is deleted on Mar 15 with standard as replacement
        clock.set("2025-03-15T00:00:00Z");
        AuditEntry e = done(admin.deletePlan(ADMIN, G, "basic", Optional.of("standard")));
        // then standard took over the default, the assignments (expiry kept), the role and the SKU
        assertEquals(AuditAction.PLAN_DELETED, e.action());
        assertTrue(e.change().endsWith("; standard took over: guild default; assigned to users 201, 202; roles 501; SKUs 701"),
                e.change());
        GuildQuotaConfig c = admin.config(G);
        assertEquals("standard", c.settings().defaultPlan());
        assertEquals(Map.of("501", "standard"), c.roleToPlan());
        assertEquals(Map.of("701", "standard"), c.skuToPlan());
        assertEquals(List.of("free", "private", "standard"), c.plans().stream().map(Plan::name).sorted().toList());
        Assignment a = admin.assignments(G, "202").get(0);
        assertEquals("standard", a.plan());
        assertEquals(Optional.of(Instant.parse("2025-06-01T00:00:00Z")), a.expiresAt());
        // and the member keeps their renewal date (Mar 1 anchor) while their count starts afresh on standard
        Usage u = quota.usage(m202);
        assertEquals("standard", u.plan().name());
        assertEquals(PlanSource.ASSIGNMENT, u.source());
        assertEquals(Instant.parse("2025-03-01T00:00:00Z"), u.period().start());
        assertEquals(0, u.used());
        assertEquals("standard", quota.resolve(Member.of(G, "300").withRoles("501")).plan().name());
        assertEquals(PlanSource.GUILD_DEFAULT, quota.resolve(Member.of(G, "301")).source());
        assertEquals("standard", quota.resolve(Member.of(G, "301")).plan().name());
    }

    @Test
    void aMemberWhoAlreadyHasTheReplacementKeepsThatAssignment() {
        done(admin.assign(ADMIN, G, U, "private", Optional.of(Instant.parse("2025-12-01T00:00:00Z"))));
        done(admin.createPlan(ADMIN, G, "private2", Optional.of("private"), Map.of()));
        done(admin.assign(ADMIN, G, U, "private2", Optional.empty()));
        done(admin.deletePlan(ADMIN, G, "private2", Optional.of("private")));
        List<Assignment> left = admin.assignments(G, U);
        assertEquals(1, left.size());
        assertEquals("private", left.get(0).plan());
        assertEquals(Optional.of(Instant.parse("2025-12-01T00:00:00Z")), left.get(0).expiresAt());
    }

    @Test
    void anUnusedPlanIsDeletedWithoutReplacement() {
        AuditEntry e = done(admin.deletePlan(ADMIN, G, "standard", Optional.empty()));
        assertTrue(e.change().startsWith("deleted (displayName=Standard, priority=20"), e.change());
        assertEquals(List.of("basic", "free", "private"), admin.plans(G).stream().map(Plan::name).toList());
        assertRejected("plan", "plan: unknown plan 'standard'; plans are basic, free, private",
                admin.deletePlan(ADMIN, G, "standard", Optional.empty()));
    }

    @Test
    void theDefaultPlanMustBeAnExistingBasePlan() {
        AuditEntry e = done(admin.setDefaultPlan(ADMIN, G, "basic"));
        assertEquals("default plan: free → basic", e.change());
        assertEquals("guild", e.subject());
        assertRejected("plan", "plan: private is an add-on plan; the default must be a base plan",
                admin.setDefaultPlan(ADMIN, G, "private"));
        assertRejected("plan", "plan: basic is already the default plan", admin.setDefaultPlan(ADMIN, G, "basic"));
        assertRejected("plan", "plan: unknown plan 'x'; plans are basic, free, private, standard",
                admin.setDefaultPlan(ADMIN, G, "x"));
        assertEquals("basic", quota.resolve(Member.of(G, U)).plan().name());
    }

    @Test
    void periodModeIsAPerGuildSetting() {
        AuditEntry e = done(admin.setPeriodMode(ADMIN, G, PeriodMode.CALENDAR));
        assertEquals("periods: anniversary → calendar", e.change());
        assertEquals(PeriodMode.CALENDAR, admin.config(G).settings().periodMode());
        assertEquals(PeriodMode.ANNIVERSARY, admin.config("101").settings().periodMode());
        assertRejected("periods", "periods: periods are already calendar", admin.setPeriodMode(ADMIN, G, PeriodMode.CALENDAR));
    }

    @Test
    void assigningABasePlanReplacesTheOldOneAndAddOnsAddUp() {
        done(admin.assign(ADMIN, G, U, "basic", Optional.empty()));
        done(admin.assign(ADMIN, G, U, "private", Optional.empty()));
        AuditEntry e = done(admin.assign(ADMIN, G, U, "standard", Optional.of(Instant.parse("2025-04-01T00:00:00Z"))));
        assertEquals(AuditAction.USER_ASSIGNED, e.action());
        assertEquals("user 200", e.subject());
        assertEquals("plan standard until 2025-04-01 00:00 UTC (replaces basic)", e.change());
        assertEquals(List.of("private", "standard"), admin.assignments(G, U).stream().map(Assignment::plan).toList());
        assertTrue(quota.isPrivate(G, U));
        // expiry must be in the future; unknown plans are refused
        assertRejected("expiresAt", "expiresAt: must be in the future (now is 2025-03-01 00:00 UTC, got 2025-03-01 00:00 UTC)",
                admin.assign(ADMIN, G, U, "basic", Optional.of(clock.instant())));
        assertRejected("plan", "plan: unknown plan 'gold'; plans are basic, free, private, standard",
                admin.assign(ADMIN, G, U, "gold", Optional.empty()));
        // unassign
        AuditEntry un = done(admin.unassign(ADMIN, G, U, "standard"));
        assertEquals("plan standard unassigned", un.change());
        assertRejected("plan", "plan: user 200 has no assignment of plan standard", admin.unassign(ADMIN, G, U, "standard"));
        assertEquals("free", quota.resolve(Member.of(G, U)).plan().name());
    }

    @Test
    void assigningStartsTheSubscriptionAtTheAssignmentTime() {
        clock.set("2025-03-05T10:00:00Z");
        done(admin.assign(ADMIN, G, U, "basic", Optional.empty()));
        clock.set("2025-03-20T00:00:00Z");
        Usage u = quota.usage(Member.of(G, U));
        assertEquals(Instant.parse("2025-03-05T10:00:00Z"), u.period().start());
        assertEquals(Optional.of(Instant.parse("2025-04-05T10:00:00Z")), u.period().renewsAt());
    }

    @Test
    void roleAndSkuMappingsAreAudited() {
        assertEquals("plan: none → basic", done(admin.mapRole(ADMIN, G, "501", "basic")).change());
        AuditEntry remap = done(admin.mapRole(ADMIN, G, "501", "standard"));
        assertEquals(AuditAction.ROLE_MAPPED, remap.action());
        assertEquals("role 501", remap.subject());
        assertEquals("plan: basic → standard", remap.change());
        assertRejected("role", "role: role 501 is already mapped to standard", admin.mapRole(ADMIN, G, "501", "standard"));
        assertEquals("plan: standard → none", done(admin.unmapRole(ADMIN, G, "501")).change());
        assertRejected("role", "role: role 501 is not mapped to a plan", admin.unmapRole(ADMIN, G, "501"));

        AuditEntry sku = done(admin.mapSku(ADMIN, G, "701", "basic"));
        assertEquals(AuditAction.SKU_MAPPED, sku.action());
        assertEquals("sku 701", sku.subject());
        assertEquals(AuditAction.SKU_UNMAPPED, done(admin.unmapSku(ADMIN, G, "701")).action());
        assertRejected("sku", "sku: sku 701 is not mapped to a plan", admin.unmapSku(ADMIN, G, "701"));
        assertRejected("plan", "plan: unknown plan 'gold'; plans are basic, free, private, standard",
                admin.mapSku(ADMIN, G, "701", "gold"));
        assertEquals(Map.of(), admin.config(G).skuToPlan());
    }

    @Test
    void bonusGrantsAreBoundedAndAudited() {
        AuditEntry e = done(admin.grantBonus(ADMIN, G, U, 20));
        assertEquals(AuditAction.BONUS_GRANTED, e.action());
        assertEquals("bonus: 0 → 20 (+20)", e.change());
        assertEquals("bonus: 20 → 25 (+5)", done(admin.grantBonus(ADMIN, G, U, 5)).change());
        assertEquals(25, quota.usage(G, U).bonus());
        assertRejected("images", "images: must be between 1 and 1000000 (got 0)", admin.grantBonus(ADMIN, G, U, 0));
        assertRejected("images", "images: must be between 1 and 1000000 (got -4)", admin.grantBonus(ADMIN, G, U, -4));
    }

    @Test
    void resetUsageZeroesDeliveredImagesButKeepsOpenJobs() {
        // given a free member with 20 trial images delivered and a grid in flight
        Member m = Member.of(G, U);
        quota.commit(assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid().withImages(20))).reservationId());
        Granted open = assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid()));
        // when an admin resets their usage
        AuditEntry e = done(admin.resetUsage(ADMIN, G, U));
        // then 4 (the open grid) are used, 21 left
        assertEquals(AuditAction.USAGE_RESET, e.action());
        assertEquals("used images free (trial): 20 → 0", e.change());
        assertEquals(4, quota.usage(m).used());
        quota.commit(open.reservationId());
        assertEquals(OptionalInt.of(21), quota.usage(m).remaining().planImages());
        // a second reset zeroes the grid; a third has nothing to do
        done(admin.resetUsage(ADMIN, G, U));
        assertRejected("user", "user: user 200 has no used images to reset", admin.resetUsage(ADMIN, G, U));
    }

    @Test
    void auditLogIsNewestFirstPerGuildWithALimit() {
        done(admin.mapRole(ADMIN, G, "1", "basic"));
        clock.set("2025-03-02T00:00:00Z");
        done(admin.mapRole("2", G, "2", "basic"));
        done(admin.mapRole(ADMIN, "101", "3", "basic"));
        done(admin.grantBonus("3", G, U, 1));
        List<AuditEntry> log = admin.auditLog(G, 2);
        assertEquals(2, log.size());
        assertEquals(List.of(AuditAction.BONUS_GRANTED, AuditAction.ROLE_MAPPED), log.stream().map(AuditEntry::action).toList());
        assertEquals(List.of("3", "2"), log.stream().map(AuditEntry::actorId).toList());
        assertTrue(log.get(0).sequence() > log.get(1).sequence());
        assertEquals(3, admin.auditLog(G, 100).size());
        assertEquals(1, admin.auditLog("101", 100).size());
        assertThrows(IllegalArgumentException.class, () -> admin.auditLog(G, 0));
    }

    @Test
    void badIdsAreRefusedBeforeAnythingHappens() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> admin.grantBonus("", G, U, 5));
        assertEquals("actor id is missing", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> admin.mapRole(ADMIN, G, "a b", "basic"));
        assertEquals(List.of(), admin.auditLog(G, 10));
    }
}
