package dev.easel.domain.quota;

import dev.easel.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaServiceTest {
    static final String G = "100";
    static final String U = "200";
    static final String ADMIN = "1";

    final MutableClock clock = MutableClock.at("2025-01-31T10:00:00Z");
    final InMemoryQuotaStore store = new InMemoryQuotaStore();
    final QuotaService quota = new QuotaService(store, clock, TestPlans.defaults());
    final QuotaAdmin admin = new QuotaAdmin(store, clock, TestPlans.defaults());
    final Member member = Member.of(G, U);

    Granted grant(Member m, QuotaRequest r) {
        return assertInstanceOf(Granted.class, quota.reserve(m, r));
    }

    Granted grant() {
        return grant(member, TestPlans.grid());
    }

    Denied deny(Member m, QuotaRequest r) {
        return assertInstanceOf(Denied.class, quota.reserve(m, r));
    }

    void assign(String plan) {
        assertInstanceOf(AdminResult.Done.class, admin.assign(ADMIN, G, U, plan, Optional.empty()));
    }

    /** Reserves and commits {@code images} images in one request. */
    void use(int images) {
        quota.commit(grant(member, TestPlans.grid().withImages(images)).reservationId());
    }

    @Test
    void freeTrialGivesTwentyFiveImagesOnceInTheRelaxLane() {
        // given a new member on the guild default (free: 25 images, never renews)
        // when they make six grids
        for (int i = 1; i <= 6; i++) {
            Granted g = grant();
            assertEquals(Lane.RELAX, g.lane());
            assertEquals("free", g.plan().name());
            assertEquals(Remaining.of(25 - 4 * i, 0), g.remaining());
            quota.commit(g.reservationId());
        }
        // then a seventh grid is refused: only one image left
        Denied d = deny(member, TestPlans.grid());
        assertEquals(DenialReason.TRIAL_OVER, d.reason());
        assertEquals("Your Free trial plan has only 1 image left and this job needs 4; it does not renew.", d.message());
        // but an upscale (1 image) still fits
        quota.commit(grant(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512).withUpscale(2)).reservationId());
        // and afterwards nothing does, not even months later
        clock.advance(Duration.ofDays(400));
        Denied over = deny(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512));
        assertEquals(DenialReason.TRIAL_OVER, over.reason());
        assertEquals("Trial over: all 25 images of your Free trial plan are used, and it does not renew. "
                + "Ask an admin about a paid plan.", over.message());
        assertEquals(25, quota.usage(member).used());
        assertEquals(Optional.empty(), quota.usage(member).period().renewsAt());
    }

    @Test
    void basicRenewsMonthlyFromTheSubscriptionStartWithMonthEndClamping() {
        // given basic assigned on Jan 31 10:00 and all 100 images used
        assign("basic");
        use(100);
        // when another grid is asked for
        Denied d = deny(member, TestPlans.grid());
        // then it is refused with the renewal time (Jan 31 + 1 month = Feb 28)
        assertEquals(DenialReason.QUOTA_EXHAUSTED, d.reason());
        assertEquals("Your Basic plan's 100 images for this period are used up. It renews on 2025-02-28 10:00 UTC.",
                d.message());
        // when the clock reaches one second before the renewal, still refused
        clock.set("2025-02-28T09:59:59Z");
        assertEquals(DenialReason.QUOTA_EXHAUSTED, deny(member, TestPlans.grid()).reason());
        // when it reaches the renewal, the allowance is back, and the next renewal is Mar 31
        clock.set("2025-02-28T10:00:00Z");
        Granted g = grant();
        assertEquals(Remaining.of(96, 0), g.remaining());
        assertEquals(Lane.FAST, g.lane());
        Usage u = quota.usage(member);
        assertEquals(Instant.parse("2025-02-28T10:00:00Z"), u.period().start());
        assertEquals(Optional.of(Instant.parse("2025-03-31T10:00:00Z")), u.period().renewsAt());
    }

    @Test
    void partlyUsedAllowanceNamesWhatIsLeft() {
        assign("basic");
        use(98);
        Denied d = deny(member, TestPlans.grid());
        assertEquals(DenialReason.QUOTA_EXHAUSTED, d.reason());
        assertEquals("Your Basic plan has only 2 images left this period and this job needs 4. It renews on 2025-02-28 10:00 UTC.",
                d.message());
    }

    @Test
    void calendarPeriodsRenewOnTheFirstOfTheMonth() {
        // given a guild counting calendar months and a basic member who used everything on Jan 31
        assertInstanceOf(AdminResult.Done.class, admin.setPeriodMode(ADMIN, G, PeriodMode.CALENDAR));
        assign("basic");
        use(100);
        assertEquals("Your Basic plan's 100 images for this period are used up. It renews on 2025-02-01 00:00 UTC.",
                deny(member, TestPlans.grid()).message());
        // when February starts
        clock.set("2025-02-01T00:00:00Z");
        // then the allowance is back
        assertEquals(Remaining.of(96, 0), grant().remaining());
    }

    @Test
    void standardRunsFastForTheFirst900ImagesThenRelaxUntilRenewal() {
        // given a standard member (unlimited, relax after 900) who used 896 images
        assign("standard");
        use(896);
        // when they make a grid, it still runs fast (896 used before it)
        Granted g = grant();
        assertEquals(Lane.FAST, g.lane());
        assertTrue(g.remaining().isUnlimited());
        quota.commit(g.reservationId());
        // then with 900 used, the next grid runs relax, and /info says so
        assertEquals(Lane.RELAX, grant().lane());
        Usage u = quota.usage(member);
        assertEquals(904, u.used());
        assertEquals(Lane.RELAX, u.lane());
        assertTrue(u.remaining().isUnlimited());
        // and a job straddling the threshold runs fast: after renewal use 898, then a grid is fast
        clock.set("2025-02-28T10:00:00Z");
        use(898);
        assertEquals(Lane.FAST, grant().lane());
    }

    @Test
    void basicRunsFastEvenForItsLastImages() {
        assign("basic");
        use(96);
        assertEquals(Lane.FAST, grant().lane());
    }

    @Test
    void queuedCapCountsQueuedAndRunningJobs() {
        // given a free member (1 running / 3 queued) with three open jobs, one running
        Granted a = grant();
        Granted b = grant();
        grant();
        assertInstanceOf(Started.class, quota.markRunning(a.reservationId()));
        // when a fourth is asked for
        Denied d = deny(member, TestPlans.grid());
        // then it is refused and nothing is charged
        assertEquals(DenialReason.TOO_MANY_QUEUED, d.reason());
        assertEquals("You already have 3 jobs queued or running, the most your Free trial plan allows. Wait for one to finish.",
                d.message());
        assertEquals(12, quota.usage(member).used());
        // when one finishes, a new one is accepted
        quota.refund(b.reservationId());
        grant();
    }

    @Test
    void markRunningEnforcesTheRunningCap() {
        // given a free member (1 running) with two queued jobs
        Granted first = grant();
        Granted second = grant();
        // when both are started
        Started s = assertInstanceOf(Started.class, quota.markRunning(first.reservationId()));
        assertEquals(ReservationState.RUNNING, s.reservation().state());
        Denied d = assertInstanceOf(Denied.class, quota.markRunning(second.reservationId()));
        // then the second waits
        assertEquals(DenialReason.TOO_MANY_RUNNING, d.reason());
        assertEquals("You already have 1 job running, the most your Free trial plan allows; this one waits its turn.",
                d.message());
        assertEquals(ReservationState.QUEUED, quota.reservation(second.reservationId()).orElseThrow().state());
        Usage u = quota.usage(member);
        assertEquals(1, u.running());
        assertEquals(1, u.queued());
        // starting a running job again is harmless
        assertInstanceOf(Started.class, quota.markRunning(first.reservationId()));
        // when the first is delivered, the second may start
        quota.commit(first.reservationId());
        assertInstanceOf(Started.class, quota.markRunning(second.reservationId()));
        // a settled reservation cannot start
        quota.commit(second.reservationId());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> quota.markRunning(second.reservationId()));
        assertEquals("reservation " + second.reservationId() + " is already committed; it cannot start", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> quota.markRunning(new ReservationId("nope")));
    }

    @Test
    void planLimitsOnStepsSizeUpscaleAndPrivateAreCheckedInOrder() {
        // given a free member (50 steps, 589,824 px, 1024 px per side, upscale 2x, no private)
        QuotaRequest ok = QuotaRequest.of(WorkKind.IMAGINE, 50, 768, 768);
        // steps
        Denied steps = deny(member, QuotaRequest.of(WorkKind.IMAGINE, 51, 2048, 2048));
        assertEquals(DenialReason.STEPS_NOT_ALLOWED, steps.reason(), "steps are checked before size");
        assertEquals("Your Free trial plan allows at most 50 steps; this job asks for 51.", steps.message());
        // pixels
        Denied pixels = deny(member, QuotaRequest.of(WorkKind.IMAGINE, 30, 1024, 1024));
        assertEquals(DenialReason.SIZE_NOT_ALLOWED, pixels.reason());
        assertEquals("Your Free trial plan allows images of at most 589824 pixels with no side over 1024 px; "
                + "this job asks for 1024×1024 (1048576 pixels).", pixels.message());
        // one side too long although the pixel count fits (512 × 1100 = 563,200)
        assertEquals(DenialReason.SIZE_NOT_ALLOWED, deny(member, QuotaRequest.of(WorkKind.IMAGINE, 30, 512, 1100)).reason());
        // upscale factor
        Denied up = deny(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512).withUpscale(4));
        assertEquals(DenialReason.UPSCALE_NOT_ALLOWED, up.reason());
        assertEquals("Your Free trial plan allows upscaling up to 2×; this job asks for 4×.", up.message());
        // private
        Denied priv = deny(member, ok.withPrivate(true));
        assertEquals(DenialReason.PRIVATE_NOT_ALLOWED, priv.reason());
        assertEquals("Private results are not available on your Free trial plan; they are an add-on to a paid plan.",
                priv.message());
        // nothing was charged by the refusals, and the limits themselves are allowed
        assertEquals(0, quota.usage(member).used());
        grant(member, ok);
        grant(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512).withUpscale(2));
    }

    @Test
    void planWithoutUpscalingRefusesAnyFactor() {
        admin.editPlan(ADMIN, G, "free", Map.of("maxUpscale", "0"));
        Denied d = deny(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512).withUpscale(2));
        assertEquals(DenialReason.UPSCALE_NOT_ALLOWED, d.reason());
        assertEquals("Your Free trial plan does not include upscaling.", d.message());
        // a plain upscale (no enlargement) is still fine
        grant(member, QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512));
    }

    @Test
    void privateNeedsTheAddOnOnAPaidPlan() {
        // given a basic member (private: addon) without the add-on
        assign("basic");
        Denied d = deny(member, TestPlans.grid().withPrivate(true));
        assertEquals(DenialReason.PRIVATE_NOT_ALLOWED, d.reason());
        assertEquals("Private results need the private add-on, which you do not have with your Basic plan.", d.message());
        assertFalse(quota.isPrivate(G, U));
        // when a role mapped to the private add-on is reported
        admin.mapRole(ADMIN, G, "900", "private");
        Member withAddOn = member.withRoles("900");
        // then private results are granted and isPrivate is true (switch on by default)
        grant(withAddOn, TestPlans.grid().withPrivate(true));
        assertTrue(quota.isPrivate(G, U));
        // when the member switches private mode off, results are public
        assertFalse(quota.setPrivateMode(G, U, false));
        assertFalse(quota.isPrivate(G, U));
        assertTrue(quota.setPrivateMode(G, U, true));
        assertTrue(quota.isPrivate(withAddOn));
    }

    @Test
    void freePlanIgnoresThePrivateAddOn() {
        admin.mapRole(ADMIN, G, "900", "private");
        Member m = member.withRoles("900");
        PlanResolution r = quota.resolve(m);
        assertEquals("free", r.plan().name());
        assertEquals(List.of("private"), r.addOns().stream().map(Plan::name).toList());
        assertFalse(r.privateResults());
        assertFalse(quota.isPrivate(m));
        assertEquals(DenialReason.PRIVATE_NOT_ALLOWED, deny(m, TestPlans.grid().withPrivate(true)).reason());
    }

    @Test
    void planIncludingPrivateNeedsNoAddOn() {
        admin.createPlan(ADMIN, G, "pro", Optional.of("standard"), Map.of("private", "included"));
        assign("pro");
        assertTrue(quota.isPrivate(G, U));
        grant(member, TestPlans.grid().withPrivate(true));
    }

    @Test
    void commitMayChargeFewerImagesThanReserved() {
        assign("basic");
        // given a grid reserved (4 images taken at once)
        Granted g = grant();
        assertEquals(4, quota.usage(member).used());
        // when only 3 candidates were delivered
        Reservation r = quota.commit(g.reservationId(), 3);
        // then 3 are charged
        assertEquals(ReservationState.COMMITTED, r.state());
        assertEquals(3, r.committedImages());
        assertEquals(3, quota.usage(member).used());
        assertEquals(OptionalInt.of(97), quota.usage(member).remaining().planImages());
        // committing more than reserved is an error
        Granted h = grant();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> quota.commit(h.reservationId(), 5));
        assertEquals("reservation " + h.reservationId() + " holds 4 images; cannot commit 5", e.getMessage());
        // and committing zero is a full give-back, still marked committed
        assertEquals(0, quota.commit(h.reservationId(), 0).committedImages());
        assertEquals(3, quota.usage(member).used());
    }

    @Test
    void refundGivesEverythingBackOnceAndTheFirstSettlementWins() {
        assign("basic");
        Granted g = grant();
        // when refunded twice
        assertEquals(ReservationState.REFUNDED, quota.refund(g.reservationId()).state());
        assertEquals(ReservationState.REFUNDED, quota.refund(g.reservationId()).state());
        // then the images came back once
        assertEquals(0, quota.usage(member).used());
        // and a late commit changes nothing
        assertEquals(ReservationState.REFUNDED, quota.commit(g.reservationId()).state());
        assertEquals(0, quota.usage(member).used());
        // likewise a refund after a commit
        Granted h = grant();
        quota.commit(h.reservationId());
        assertEquals(ReservationState.COMMITTED, quota.refund(h.reservationId()).state());
        assertEquals(4, quota.usage(member).used());
    }

    @Test
    void bonusIsSpentAfterThePlanImagesAndGivenBackFirst() {
        // given a basic member with 2 plan images left and 5 bonus images
        assign("basic");
        use(98);
        admin.grantBonus(ADMIN, G, U, 5);
        // when a grid is reserved
        Granted g = grant();
        // then the 2 plan images go first, then 2 bonus images
        Reservation r = quota.reservation(g.reservationId()).orElseThrow();
        assertEquals(2, r.planImages());
        assertEquals(2, r.bonusImages());
        assertEquals(Remaining.of(0, 3), g.remaining());
        // when only 3 are delivered, the undelivered one goes back to the bonus
        quota.commit(g.reservationId(), 3);
        Usage u = quota.usage(member);
        assertEquals(100, u.used());
        assertEquals(4, u.bonus());
        // when a grid from the bonus alone is refunded, the bonus is whole again
        Granted b = grant();
        assertEquals(Remaining.of(0, 0), b.remaining());
        quota.refund(b.reservationId());
        assertEquals(4, quota.usage(member).bonus());
        // bonus never expires: after renewal the plan's images are used first again
        clock.set("2025-02-28T10:00:00Z");
        Granted next = grant();
        assertEquals(Remaining.of(96, 4), next.remaining());
        assertEquals(0, quota.reservation(next.reservationId()).orElseThrow().bonusImages());
    }

    @Test
    void bonusExtendsAnExhaustedTrialInItsLane() {
        use(24);
        admin.grantBonus(ADMIN, G, U, 4);
        Granted g = grant();
        assertEquals(Lane.RELAX, g.lane());
        assertEquals(Remaining.of(0, 1), g.remaining());
    }

    @Test
    void unlimitedPlansNeverTouchTheBonus() {
        assign("standard");
        admin.grantBonus(ADMIN, G, U, 10);
        Granted g = grant();
        assertEquals(Remaining.unlimited(10), g.remaining());
        assertEquals(0, quota.reservation(g.reservationId()).orElseThrow().bonusImages());
    }

    @Test
    void aReservationStaysChargedToThePeriodItWasMadeIn() {
        // given a basic member who reserved a grid just before renewal
        assign("basic");
        use(96);
        clock.set("2025-02-28T09:59:00Z");
        Granted late = grant();
        // when the job is delivered after the renewal
        clock.set("2025-02-28T10:01:00Z");
        quota.commit(late.reservationId());
        // then the new period is untouched
        Usage u = quota.usage(member);
        assertEquals(0, u.used());
        assertEquals(OptionalInt.of(100), u.remaining().planImages());
    }

    @Test
    void usageIsCountedPerPlanSoTheTrialStaysUsed() {
        // given a free member who used 24 trial images
        use(24);
        // when basic is assigned, basic's count starts at 0
        assign("basic");
        assertEquals(0, quota.usage(member).used());
        use(10);
        // when basic is removed, the trial is as it was
        admin.unassign(ADMIN, G, U, "basic");
        Usage u = quota.usage(member);
        assertEquals("free", u.plan().name());
        assertEquals(24, u.used());
        assertEquals(OptionalInt.of(1), u.remaining().planImages());
    }

    @Test
    void usageReportsEverythingInfoShows() {
        // given a basic member (assigned on Jan 31) with 40 images used, 2 jobs open (one running) and 7 bonus
        assign("basic");
        clock.set("2025-02-10T00:00:00Z");
        use(32);
        Granted a = grant();
        grant();
        quota.markRunning(a.reservationId());
        admin.grantBonus(ADMIN, G, U, 7);
        // when
        Usage u = quota.usage(member);
        // then
        assertEquals("basic", u.plan().name());
        assertEquals(PlanSource.ASSIGNMENT, u.source());
        assertEquals("assigned by 1 on 2025-01-31 10:00 UTC", u.resolution().detail());
        assertEquals(40, u.used());
        assertEquals(Remaining.of(60, 7), u.remaining());
        assertEquals(7, u.bonus());
        assertEquals(Lane.FAST, u.lane());
        assertEquals(Instant.parse("2025-01-31T10:00:00Z"), u.period().start());
        assertEquals(Optional.of(Instant.parse("2025-02-28T10:00:00Z")), u.period().renewsAt());
        assertEquals(1, u.running());
        assertEquals(1, u.queued());
        assertTrue(u.privateEnabled());
        assertFalse(u.privateNow());
        assertEquals("Basic: 40 of 100 images used (60 left, +7 bonus), fast lane, renews 2025-02-28 10:00 UTC",
                QuotaMessages.summary(u));
        assertEquals(2, quota.openReservations(G, U).size());
    }

    @Test
    void requestsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> QuotaRequest.of(WorkKind.IMAGINE, 30, 0, 512));
        assertThrows(IllegalArgumentException.class, () -> QuotaRequest.of(WorkKind.IMAGINE, -1, 512, 512));
        IllegalArgumentException up = assertThrows(IllegalArgumentException.class,
                () -> QuotaRequest.of(WorkKind.UPSCALE, 0, 512, 512).withUpscale(1));
        assertEquals("upscaleFactor must be 0 (no upscaling) or at least 2, got 1", up.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TestPlans.grid().withImages(0));
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class, () -> Member.of("12 3", "4"));
        assertEquals("guild id '12 3' is invalid: expected 1 to 64 characters without spaces", id.getMessage());
        assertEquals(4, WorkKind.IMAGINE.images());
        assertEquals(1, WorkKind.UPSCALE.images());
        assertEquals(4, WorkKind.VARIATION.images());
        assertEquals(4, WorkKind.REROLL.images());
    }
}
