package dev.easel.domain.quota;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PeriodTest {
    private static Instant t(String s) {
        return Instant.parse(s);
    }

    private static void assertPeriod(String anchor, String now, String expectedStart, String expectedRenewal) {
        Period p = Period.anniversary(t(anchor), t(now));
        assertEquals(t(expectedStart), p.start(), "start for anchor " + anchor + " at " + now);
        assertEquals(Optional.of(t(expectedRenewal)), p.renewsAt(), "renewal for anchor " + anchor + " at " + now);
        assertEquals(p.start(), p.meterKey());
    }

    @Test
    void anniversaryStartedOnJan31RenewsOnLastDayOfFebruaryThenOnMarch31() {
        // given a subscription started 2025-01-31 10:00 UTC (2025 is not a leap year)
        String anchor = "2025-01-31T10:00:00Z";
        // then the first period ends on Feb 28 10:00, and the next on Mar 31 (from the anchor, not Feb 28 + 1 month)
        assertPeriod(anchor, "2025-02-10T00:00:00Z", "2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z");
        assertPeriod(anchor, "2025-02-28T10:00:00Z", "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z");
        assertPeriod(anchor, "2025-03-30T23:59:59Z", "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z");
        assertPeriod(anchor, "2025-03-31T10:00:00Z", "2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z");
        assertPeriod(anchor, "2025-05-15T00:00:00Z", "2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z");
    }

    @Test
    void anniversaryInLeapYearRenewsOnFebruary29() {
        assertPeriod("2024-01-31T00:00:00Z", "2024-02-29T12:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z");
        assertPeriod("2024-01-30T00:00:00Z", "2024-02-29T12:00:00Z", "2024-02-29T00:00:00Z", "2024-03-30T00:00:00Z");
    }

    @Test
    void anniversaryBoundaryIsExactToTheSecond() {
        // given an anchor at 2025-03-05 10:00:00
        String anchor = "2025-03-05T10:00:00Z";
        // then one second before the renewal is still the old period, the renewal instant the new one
        assertPeriod(anchor, "2025-04-05T09:59:59Z", "2025-03-05T10:00:00Z", "2025-04-05T10:00:00Z");
        assertPeriod(anchor, "2025-04-05T10:00:00Z", "2025-04-05T10:00:00Z", "2025-05-05T10:00:00Z");
        // and at the anchor itself the first period starts
        assertPeriod(anchor, anchor, "2025-03-05T10:00:00Z", "2025-04-05T10:00:00Z");
    }

    @Test
    void anniversaryAcrossYearsAndDay29InNonLeapFebruary() {
        assertPeriod("2023-12-29T08:30:00Z", "2025-02-28T09:00:00Z", "2025-02-28T08:30:00Z", "2025-03-29T08:30:00Z");
        assertPeriod("2023-12-29T08:30:00Z", "2025-02-28T08:00:00Z", "2025-01-29T08:30:00Z", "2025-02-28T08:30:00Z");
    }

    @Test
    void anniversaryBeforeTheAnchorIsTheFirstPeriod() {
        // a clock moved back before the subscription start
        assertPeriod("2025-03-05T10:00:00Z", "2025-03-01T00:00:00Z", "2025-03-05T10:00:00Z", "2025-04-05T10:00:00Z");
    }

    @Test
    void calendarPeriodsAreUtcMonths() {
        Period p = Period.calendar(t("2024-02-29T23:59:59Z"));
        assertEquals(t("2024-02-01T00:00:00Z"), p.start());
        assertEquals(Optional.of(t("2024-03-01T00:00:00Z")), p.renewsAt());
        Period dec = Period.calendar(t("2025-12-31T23:00:00Z"));
        assertEquals(t("2025-12-01T00:00:00Z"), dec.start());
        assertEquals(Optional.of(t("2026-01-01T00:00:00Z")), dec.renewsAt());
        assertEquals(t("2026-01-01T00:00:00Z"), Period.calendar(t("2026-01-01T00:00:00Z")).start());
    }

    @Test
    void neverRenewingPlanHasOneLifelongMeterAndNoRenewal() {
        Period p = Period.of(TestPlans.free(), PeriodMode.CALENDAR, t("2025-01-10T00:00:00Z"), t("2027-06-01T00:00:00Z"));
        assertEquals(Instant.EPOCH, p.meterKey());
        assertEquals(Optional.empty(), p.renewsAt());
        assertEquals(t("2025-01-10T00:00:00Z"), p.start());
    }

    @Test
    void periodModeSelectsTheRule() {
        Instant anchor = t("2025-01-20T00:00:00Z");
        Instant now = t("2025-03-10T00:00:00Z");
        assertEquals(t("2025-02-20T00:00:00Z"), Period.of(TestPlans.basic(), PeriodMode.ANNIVERSARY, anchor, now).start());
        assertEquals(t("2025-03-01T00:00:00Z"), Period.of(TestPlans.basic(), PeriodMode.CALENDAR, anchor, now).start());
    }
}
