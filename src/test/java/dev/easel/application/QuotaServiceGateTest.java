package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.InMemoryQuotaStore;
import dev.easel.testing.MutableClock;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.Reservation;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReservationState;
import dev.easel.domain.quota.TestPlans;
import dev.easel.domain.quota.WorkKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * How the gate maps a job request to the quota and back (on the in-memory store; the transactional behaviour on the
 * databases is in {@link QuotaServiceGateJdbcContract}). Plans: config/plans.yaml's defaults (free trial: 25 images,
 * relax, 1 running / 3 queued, 50 steps, 768×768 pixels, upscale 2×).
 */
class QuotaServiceGateTest {
    private static final String G = "900";
    private final MutableClock clock = MutableClock.at("2025-03-01T00:00:00Z");
    private final InMemoryQuotaStore store = new InMemoryQuotaStore();
    private final QuotaService quota = new QuotaService(store, clock, TestPlans.defaults());
    private final QuotaAdmin admin = new QuotaAdmin(store, clock, TestPlans.defaults());
    private final QuotaServiceGate gate = new QuotaServiceGate(quota, 2);

    private static ReservationRequest request(Owner owner, Membership membership, JobKind kind, GenerationParams p) {
        return new ReservationRequest(owner, membership, kind, p.candidateCount(), p, new UserLoad(0, 0),
                Instant.parse("2025-03-01T00:00:00Z"));
    }

    private static GenerationParams grid(int side, int steps) {
        return GenerationParams.of("a fox", "sd15", side, side, steps);
    }

    private QuotaDecision reserve(String user, Membership membership, JobKind kind, GenerationParams p) {
        return gate.reserve(request(new Owner(user, G, "c"), membership, kind, p), null);
    }

    @Test
    void aGridOnTheDefaultPlanIsGrantedInTheRelaxLaneAndTakesFourImages() {
        QuotaDecision.Granted g = assertInstanceOf(QuotaDecision.Granted.class,
                reserve("1", Membership.NONE, JobKind.IMAGINE, grid(512, 30)));
        assertEquals("free", g.planName());
        assertEquals(Lane.RELAX, g.lane());
        assertEquals(false, g.privateResults());
        assertEquals(1, g.maxRunning());
        Reservation r = quota.reservation(new ReservationId(g.reservationId())).orElseThrow();
        assertEquals(4, r.images());
        assertEquals(ReservationState.QUEUED, r.state());
        assertEquals(4, quota.usage(G, "1").used());
    }

    @Test
    void rolesAndSkusOfTheRequestChooseThePlanAndPrivateResults() {
        admin.mapRole("1", G, "501", "basic");
        admin.mapSku("1", G, "701", "private");
        QuotaDecision.Granted basic = assertInstanceOf(QuotaDecision.Granted.class,
                reserve("1", new Membership(Set.of("501"), Set.of()), JobKind.IMAGINE, grid(512, 30)));
        assertEquals("basic", basic.planName());
        assertEquals(Lane.FAST, basic.lane());
        assertEquals(false, basic.privateResults(), "basic allows private results only with the add-on");
        assertEquals(3, basic.maxRunning());

        QuotaDecision.Granted withAddOn = assertInstanceOf(QuotaDecision.Granted.class,
                reserve("1", new Membership(Set.of("501"), Set.of("701")), JobKind.IMAGINE, grid(512, 30)));
        assertEquals(true, withAddOn.privateResults());
        quota.setPrivateMode(G, "1", false);
        QuotaDecision.Granted switchedOff = assertInstanceOf(QuotaDecision.Granted.class,
                reserve("1", new Membership(Set.of("501"), Set.of("701")), JobKind.IMAGINE, grid(512, 30)));
        assertEquals(false, switchedOff.privateResults(), "the member's own switch is off");
    }

    @Test
    void limitsOfThePlanAreRefusedWithTheQuotasMessage() {
        assertEquals(new QuotaDecision.Denied("Your Free trial plan allows at most 50 steps; this job asks for 80."),
                reserve("1", Membership.NONE, JobKind.IMAGINE, grid(512, 80)));
        assertEquals(new QuotaDecision.Denied("Your Free trial plan allows images of at most 589824 pixels with no side "
                        + "over 1024 px; this job asks for 1024×1024 (1048576 pixels)."),
                reserve("1", Membership.NONE, JobKind.IMAGINE, grid(1024, 30)));
        assertEquals(List.of(), quota.openReservations(G, "1"), "nothing reserved");
    }

    @Test
    void anUpscaleCostsOneImageAndIsCheckedAgainstTheEnginesFactor() {
        GenerationParams one = grid(512, 30).withCandidateCount(1).withStrength(0.3);
        QuotaDecision.Granted g = assertInstanceOf(QuotaDecision.Granted.class,
                reserve("1", Membership.NONE, JobKind.UPSCALE, one));
        assertEquals(1, quota.reservation(new ReservationId(g.reservationId())).orElseThrow().images());

        QuotaServiceGate fourTimes = new QuotaServiceGate(quota, 4);
        assertEquals(new QuotaDecision.Denied("Your Free trial plan allows upscaling up to 2×; this job asks for 4×."),
                fourTimes.reserve(request(new Owner("1", G, "c"), Membership.NONE, JobKind.UPSCALE, one), null));
        assertInstanceOf(QuotaDecision.Granted.class, fourTimes.reserve(
                request(new Owner("1", G, "c"), Membership.NONE, JobKind.VARIATION, grid(512, 30)), null),
                "only upscales are checked against the factor");
    }

    @Test
    void aFurtherUpscaleIsCheckedAgainstTheTotalFactor() {
        // given a 1024 px upscale of a 512 px candidate, upscaled once more (2 steps of 2× = 4×)
        GenerationParams again = grid(512, 30).withCandidateCount(1).withStrength(0.3);
        ReservationRequest twoSteps = new ReservationRequest(new Owner("7", G, "c"), Membership.NONE, JobKind.UPSCALE, 1,
                again, new UserLoad(0, 0), Instant.parse("2025-03-01T00:00:00Z"), 2);
        // when the member is on the free plan (maxUpscale 2) it is refused with the plan's words
        assertEquals(new QuotaDecision.Denied("Your Free trial plan allows upscaling up to 2×; this job asks for 4×."),
                gate.reserve(twoSteps, null));
        // and on standard (maxUpscale 4) it is granted
        assertInstanceOf(dev.easel.domain.quota.AdminResult.Done.class,
                admin.assign("admin", G, "8", "standard", java.util.Optional.empty()));
        ReservationRequest standard = new ReservationRequest(new Owner("8", G, "c"), Membership.NONE, JobKind.UPSCALE, 1,
                again, new UserLoad(0, 0), Instant.parse("2025-03-01T00:00:00Z"), 2);
        assertInstanceOf(QuotaDecision.Granted.class, gate.reserve(standard, null));
        ReservationRequest threeSteps = new ReservationRequest(new Owner("8", G, "c"), Membership.NONE, JobKind.UPSCALE, 1,
                again, new UserLoad(0, 0), Instant.parse("2025-03-01T00:00:00Z"), 3);
        assertInstanceOf(QuotaDecision.Denied.class, gate.reserve(threeSteps, null), "8× is beyond standard's 4×");
    }

    @Test
    void ownersOutsideAGuildAreCountedInTheDirectPseudoGuild() {
        reserve("1", Membership.NONE, JobKind.IMAGINE, grid(512, 30));
        assertInstanceOf(QuotaDecision.Granted.class, gate.reserve(request(Owner.user("1"), Membership.NONE,
                JobKind.REROLL, grid(512, 30)), null));
        assertEquals(4, quota.usage(QuotaServiceGate.DIRECT, "1").used());
        assertEquals(4, quota.usage(G, "1").used(), "the guild's count is separate");
    }

    @Test
    void commitAndRefundSettleAndSkipReservationsTheQuotaNeverMade() {
        String a = ((QuotaDecision.Granted) reserve("1", Membership.NONE, JobKind.IMAGINE, grid(512, 30))).reservationId();
        String b = ((QuotaDecision.Granted) reserve("1", Membership.NONE, JobKind.IMAGINE, grid(512, 30))).reservationId();
        gate.commit(a, null);
        gate.refund(b, "the engine failed", null);
        assertEquals(ReservationState.COMMITTED, quota.reservation(new ReservationId(a)).orElseThrow().state());
        assertEquals(ReservationState.REFUNDED, quota.reservation(new ReservationId(b)).orElseThrow().state());
        assertEquals(4, quota.usage(G, "1").used());

        gate.commit("cfg-0b6a8c2e", null);
        gate.refund(null, "cancelled", null);
        gate.refund("", "cancelled", null);
        assertEquals(4, quota.usage(G, "1").used(), "unknown ids change nothing");
    }

    @Test
    void everyJobKindHasItsWorkKindAndEveryLaneItsLane() {
        for (JobKind k : JobKind.values()) {
            assertEquals(k.name(), QuotaServiceGate.workKind(k).name());
        }
        assertEquals(WorkKind.UPSCALE, QuotaServiceGate.workKind(JobKind.UPSCALE));
        assertEquals(Lane.FAST, QuotaServiceGate.lane(dev.easel.domain.quota.Lane.FAST));
        assertEquals(Lane.RELAX, QuotaServiceGate.lane(dev.easel.domain.quota.Lane.RELAX));
        assertEquals("upscale factor must be 2..16; got 1",
                assertThrows(IllegalArgumentException.class, () -> new QuotaServiceGate(quota, 1)).getMessage());
    }
}
