package dev.easel.domain.quota;

import dev.easel.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanResolutionTest {
    static final String G = "100";
    static final String U = "200";
    static final String ADMIN = "1";
    static final String BASIC_ROLE = "501";
    static final String STANDARD_ROLE = "502";
    static final String BASIC_SKU = "701";

    final MutableClock clock = MutableClock.at("2025-03-01T00:00:00Z");
    final InMemoryQuotaStore store = new InMemoryQuotaStore();
    final QuotaService quota = new QuotaService(store, clock, TestPlans.defaults());
    final QuotaAdmin admin = new QuotaAdmin(store, clock, TestPlans.defaults());

    void done(AdminResult r) {
        assertInstanceOf(AdminResult.Done.class, r, () -> r.toString());
    }

    void mapAll() {
        done(admin.mapRole(ADMIN, G, BASIC_ROLE, "basic"));
        done(admin.mapRole(ADMIN, G, STANDARD_ROLE, "standard"));
        done(admin.mapSku(ADMIN, G, BASIC_SKU, "basic"));
    }

    void assertResolves(Member m, String plan, PlanSource source, String detail) {
        PlanResolution r = quota.resolve(m);
        assertEquals(plan, r.plan().name(), "plan");
        assertEquals(source, r.source(), "source");
        assertEquals(detail, r.detail(), "detail");
    }

    @Test
    void withNothingElseTheGuildDefaultApplies() {
        mapAll();
        assertResolves(Member.of(G, U), "free", PlanSource.GUILD_DEFAULT, "guild default");
        // a role that is not mapped changes nothing
        assertResolves(Member.of(G, U).withRoles("999"), "free", PlanSource.GUILD_DEFAULT, "guild default");
    }

    @Test
    void precedenceIsAssignmentThenRoleThenEntitlementThenDefault() {
        mapAll();
        Member m = Member.of(G, U).withSkus(BASIC_SKU);
        // entitlement beats the default
        assertResolves(m, "basic", PlanSource.ENTITLEMENT, "SKU 701");
        // a role beats the entitlement, even a role of a lower-priority plan
        done(admin.mapRole(ADMIN, G, "503", "free"));
        assertResolves(m.withRoles("503"), "free", PlanSource.ROLE, "role 503");
        // an assignment beats everything
        done(admin.assign(ADMIN, G, U, "basic", Optional.empty()));
        assertResolves(m.withRoles(STANDARD_ROLE), "basic", PlanSource.ASSIGNMENT, "assigned by 1 on 2025-03-01 00:00 UTC");
    }

    @Test
    void severalRolesPickTheHighestPriorityPlan() {
        mapAll();
        // standard has priority 20, basic 10
        assertResolves(Member.of(G, U).withRoles(BASIC_ROLE, STANDARD_ROLE), "standard", PlanSource.ROLE, "role 502");
        // when basic's priority is raised above standard's, basic wins
        done(admin.editPlan(ADMIN, G, "basic", Map.of("priority", "30")));
        assertResolves(Member.of(G, U).withRoles(BASIC_ROLE, STANDARD_ROLE), "basic", PlanSource.ROLE, "role 501");
    }

    @Test
    void equalPrioritiesAreBrokenByPlanNameThenRoleId() {
        mapAll();
        done(admin.editPlan(ADMIN, G, "basic", Map.of("priority", "20")));
        // basic and standard both 20: "basic" sorts first
        assertResolves(Member.of(G, U).withRoles(STANDARD_ROLE, BASIC_ROLE), "basic", PlanSource.ROLE, "role 501");
        // two roles mapped to the same plan: the smaller id is named
        done(admin.mapRole(ADMIN, G, "400", "basic"));
        assertResolves(Member.of(G, U).withRoles(BASIC_ROLE, "400"), "basic", PlanSource.ROLE, "role 400");
    }

    @Test
    void severalSkusPickTheHighestPriorityPlan() {
        mapAll();
        done(admin.mapSku(ADMIN, G, "702", "standard"));
        assertResolves(Member.of(G, U).withSkus(BASIC_SKU, "702"), "standard", PlanSource.ENTITLEMENT, "SKU 702");
    }

    @Test
    void anAssignmentStopsApplyingAtItsExpiry() {
        // given a standard assignment until Mar 10 and a basic role
        mapAll();
        done(admin.assign(ADMIN, G, U, "standard", Optional.of(Instant.parse("2025-03-10T00:00:00Z"))));
        Member m = Member.of(G, U).withRoles(BASIC_ROLE);
        // then before the expiry the assignment applies, with the expiry shown
        clock.set("2025-03-09T23:59:59Z");
        assertResolves(m, "standard", PlanSource.ASSIGNMENT,
                "assigned by 1 on 2025-03-01 00:00 UTC, until 2025-03-10 00:00 UTC");
        // and from the expiry instant on, the role applies again
        clock.set("2025-03-10T00:00:00Z");
        assertResolves(m, "basic", PlanSource.ROLE, "role 501");
    }

    @Test
    void rolesMappedToAnAddOnAreAddOnsNotBasePlans() {
        done(admin.mapRole(ADMIN, G, "900", "private"));
        mapAll();
        PlanResolution r = quota.resolve(Member.of(G, U).withRoles("900", BASIC_ROLE));
        assertEquals("basic", r.plan().name());
        assertEquals(PlanSource.ROLE, r.source());
        assertEquals("private", r.addOns().get(0).name());
        assertTrue(r.privateResults());
        // add-ons can also come from an assignment or a SKU
        done(admin.assign(ADMIN, G, "201", "private", Optional.empty()));
        assertTrue(quota.resolve(Member.of(G, "201").withRoles(BASIC_ROLE)).privateResults());
        done(admin.mapSku(ADMIN, G, "800", "private"));
        assertTrue(quota.resolve(Member.of(G, "202").withSkus("800", BASIC_SKU)).privateResults());
    }

    @Test
    void queriesWithoutRolesUseTheLastReportedOnes() {
        // given a member last seen with the basic role and the private add-on role
        mapAll();
        done(admin.mapRole(ADMIN, G, "900", "private"));
        quota.usage(Member.of(G, U).withRoles(BASIC_ROLE, "900"));
        // then the web's queries without roles resolve the same plan
        assertTrue(quota.isPrivate(G, U));
        assertEquals("basic", quota.usage(G, U).plan().name());
        // when the member is next seen without the roles, that is remembered too
        quota.usage(Member.of(G, U));
        assertFalse(quota.isPrivate(G, U));
        assertEquals("free", quota.usage(G, U).plan().name());
    }

    @Test
    void aPlanChangeStartsANewSubscriptionPeriod() {
        // given a free member since Mar 1
        Member m = Member.of(G, U);
        quota.usage(m);
        // when they get the basic role on Mar 20
        mapAll();
        clock.set("2025-03-20T12:00:00Z");
        Usage u = quota.usage(m.withRoles(BASIC_ROLE));
        // then basic's periods run from Mar 20 12:00
        assertEquals(Instant.parse("2025-03-20T12:00:00Z"), u.period().start());
        assertEquals(Optional.of(Instant.parse("2025-04-20T12:00:00Z")), u.period().renewsAt());
        // and seeing the same plan again later does not move the anchor
        clock.set("2025-04-25T00:00:00Z");
        assertEquals(Instant.parse("2025-04-20T12:00:00Z"), quota.usage(m.withRoles(BASIC_ROLE)).period().start());
    }

    @Test
    void eachGuildHasItsOwnPlansAndMappings() {
        done(admin.editPlan(ADMIN, G, "free", Map.of("images", "5")));
        done(admin.mapRole(ADMIN, G, BASIC_ROLE, "basic"));
        Granted here = assertInstanceOf(Granted.class, quota.reserve(Member.of(G, U).withRoles("999"), TestPlans.grid()));
        assertEquals(1, here.remaining().planImages().getAsInt(), "guild 100's free plan has 5 images");
        // another guild still has the defaults and no mappings
        Granted other = assertInstanceOf(Granted.class, quota.reserve(Member.of("101", U).withRoles(BASIC_ROLE), TestPlans.grid()));
        assertEquals("free", other.plan().name());
        assertEquals(21, other.remaining().planImages().getAsInt());
    }
}
