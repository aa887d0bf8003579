package dev.easel.application;

import dev.easel.config.PlansConfig;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.InMemoryQuotaStore;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.Usage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The plan quota behind the job use cases' port: lane, plan, private results and caps come from the plan. */
class PlanQuotaGateTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
    QuotaService quota;
    QuotaAdmin admin;
    PlanQuotaGate gate;

    @BeforeEach
    void setUp() throws Exception {
        PlanDefaults plans = PlansConfig.load(Path.of("config/plans.yaml"));
        InMemoryQuotaStore store = new InMemoryQuotaStore();
        quota = new QuotaService(store, CLOCK, plans);
        admin = new QuotaAdmin(store, CLOCK, plans);
        gate = new PlanQuotaGate(quota, o -> Member.of(o.guildId(), o.userId()), 2);
    }

    static ReservationRequest request(String user, JobKind kind, int images, int steps) {
        GenerationParams p = GenerationParams.of("a fox", "sd15", 512, 512, steps).withCandidateCount(images)
                .withSeed(1);
        return new ReservationRequest(new Owner(user, "g1", "c"), kind, images, p, UserLoad.NONE, CLOCK.instant());
    }

    @Test
    void aGrantCarriesThePlansLaneNameAndRunningCapAndIsChargedOnCommit() {
        QuotaDecision.Granted g = assertInstanceOf(QuotaDecision.Granted.class,
                gate.reserve(request("newcomer", JobKind.IMAGINE, 4, 30), null));
        // the free trial (the default plan): relax lane, one job at a time, public results
        assertEquals("free", g.planName());
        assertEquals(Lane.RELAX, g.lane());
        assertEquals(1, g.maxRunning());
        assertFalse(g.privateResults());
        gate.commit(g.reservationId(), null);
        Usage u = quota.usage("g1", "newcomer");
        assertEquals(4, u.used());
        assertEquals(21, u.remaining().planImages().getAsInt());
    }

    @Test
    void aRefundGivesTheImagesBack() {
        QuotaDecision.Granted g = (QuotaDecision.Granted) gate.reserve(request("newcomer", JobKind.IMAGINE, 4, 30), null);
        assertEquals(4, quota.usage("g1", "newcomer").used(), "reserved images count as used until settled");
        gate.refund(g.reservationId(), "cancelled", null);
        assertEquals(0, quota.usage("g1", "newcomer").used());
    }

    @Test
    void thePlansLimitsDenyWithItsMessage() {
        QuotaDecision.Denied steps = assertInstanceOf(QuotaDecision.Denied.class,
                gate.reserve(request("newcomer", JobKind.IMAGINE, 4, 80), null));
        assertEquals("Your Free trial plan allows at most 50 steps; this job asks for 80.", steps.reason());
        // an upscale asks for the configured factor: 2 is within every default plan, so it is granted
        assertInstanceOf(QuotaDecision.Granted.class, gate.reserve(request("newcomer", JobKind.UPSCALE, 1, 30), null));
    }

    @Test
    void aPrivatePlanMakesPrivateJobsOnAFastLane() {
        admin.assign("admin", "g1", "vip", "standard", Optional.empty());
        admin.assign("admin", "g1", "vip", "private", Optional.empty());
        QuotaDecision.Granted g = (QuotaDecision.Granted) gate.reserve(request("vip", JobKind.IMAGINE, 4, 30), null);
        assertEquals("standard", g.planName());
        assertEquals(Lane.FAST, g.lane());
        assertEquals(3, g.maxRunning());
        assertTrue(g.privateResults());
        // the member's own switch turns it off for later jobs
        quota.setPrivateMode("g1", "vip", false);
        assertFalse(((QuotaDecision.Granted) gate.reserve(request("vip", JobKind.IMAGINE, 4, 30), null))
                .privateResults());
    }
}
