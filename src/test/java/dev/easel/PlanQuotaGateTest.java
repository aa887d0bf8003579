package dev.easel;

import dev.easel.application.QuotaDecision;
import dev.easel.application.ReservationRequest;
import dev.easel.application.UserLoad;
import dev.easel.config.PlansConfig;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.AdminResult;
import dev.easel.domain.quota.InMemoryQuotaStore;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class PlanQuotaGateTest {
    QuotaService quota;
    QuotaAdmin admin;
    PlanQuotaGate gate;

    @BeforeEach
    void plans() throws Exception {
        PlanDefaults defaults = PlansConfig.load(Path.of("config/plans.yaml"));
        InMemoryQuotaStore store = new InMemoryQuotaStore();
        quota = new QuotaService(store, Clock.systemUTC(), defaults);
        admin = new QuotaAdmin(store, Clock.systemUTC(), defaults);
        gate = new PlanQuotaGate(quota, 2);
    }

    static ReservationRequest request(String guild, String user, JobKind kind, int images) {
        GenerationParams p = GenerationParams.of("x", "sd15", 512, 512, 30).withSeed(1).withCandidateCount(images);
        return new ReservationRequest(new Owner(user, guild, "c"), kind, images, p, UserLoad.NONE, Instant.now());
    }

    @Test
    void theReportedRolesAndSkusDecideThePlanLaneAndPrivacy() {
        assertInstanceOf(AdminResult.Done.class, admin.mapRole("admin", "g", "paid-role", "basic"));
        assertInstanceOf(AdminResult.Done.class, admin.mapSku("admin", "g", "42", "private"));
        gate.remember(new Member("g", "u", java.util.Set.of("paid-role"), java.util.Set.of("42")));

        QuotaDecision.Granted g = assertInstanceOf(QuotaDecision.Granted.class,
                gate.reserve(request("g", "u", JobKind.IMAGINE, 4), null));

        assertEquals("basic", g.planName());
        assertEquals(Lane.FAST, g.lane());
        assertEquals(true, g.privateResults());
        assertEquals(3, g.maxRunning());
        assertEquals(4, quota.usage("g", "u").used());
        gate.commit(g.reservationId(), null);
        assertEquals(4, quota.usage("g", "u").used());
    }

    @Test
    void membersNeverReportedGetTheDefaultPlanAndDirectMessagesTheirOwnScope() {
        QuotaDecision.Granted g = assertInstanceOf(QuotaDecision.Granted.class,
                gate.reserve(request(null, "u", JobKind.IMAGINE, 4), null));
        assertEquals("free", g.planName());
        assertEquals(Lane.RELAX, g.lane());
        assertEquals(4, quota.usage("dm", "u").used());
        gate.refund(g.reservationId(), "cancelled", null);
        assertEquals(0, quota.usage("dm", "u").used());
    }

    @Test
    void anUpscaleAsksThePlanForItsFactorAndUnknownReservationsDoNotStopAJob() {
        assertInstanceOf(AdminResult.Done.class, admin.editPlan("admin", "g", "free", Map.of("maxUpscale", "0")));
        QuotaDecision.Denied d = assertInstanceOf(QuotaDecision.Denied.class,
                gate.reserve(request("g", "u", JobKind.UPSCALE, 1), null));
        assertEquals("Your Free trial plan does not include upscaling.", d.reason());
        gate.commit("forgotten-after-a-restart", null);
        gate.refund("forgotten-after-a-restart", "failed", null);
    }
}
