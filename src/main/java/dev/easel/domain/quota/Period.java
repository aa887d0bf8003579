package dev.easel.domain.quota;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * A stretch of time over which a plan's allowance is counted.
 *
 * @param start    first instant of the period
 * @param renewsAt first instant of the next period; empty for never-renewing plans (trials)
 * @param meterKey the key usage is counted under: {@code start} for monthly plans,
 *                 {@link Instant#EPOCH} for never-renewing ones (one meter for life)
 */
public record Period(Instant start, Optional<Instant> renewsAt, Instant meterKey) {
    public Period {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(renewsAt, "renewsAt");
        Objects.requireNonNull(meterKey, "meterKey");
    }

    /**
     * The period containing {@code now} for a plan.
     *
     * @param anchor the member's subscription start (anniversary anchor; shown as the start of a trial)
     */
    public static Period of(Plan plan, PeriodMode mode, Instant anchor, Instant now) {
        if (plan.renewal() == Renewal.NEVER) {
            return new Period(anchor, Optional.empty(), Instant.EPOCH);
        }
        return mode == PeriodMode.CALENDAR ? calendar(now) : anniversary(anchor, now);
    }

    /** The calendar month (UTC) containing {@code now}: 1st 00:00 to next 1st 00:00. */
    public static Period calendar(Instant now) {
        LocalDateTime t = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        LocalDateTime start = t.toLocalDate().withDayOfMonth(1).atStartOfDay();
        Instant s = start.toInstant(ZoneOffset.UTC);
        return new Period(s, Optional.of(start.plusMonths(1).toInstant(ZoneOffset.UTC)), s);
    }

    /**
     * The monthly period around {@code now} counted from {@code anchor} (UTC). The k-th period starts
     * at {@code anchor + k months}, always computed from the anchor itself, with the day clamped to
     * the end of shorter months (java.time's plusMonths): anchor Jan 31 → Feb 28 (29 in leap years) →
     * Mar 31 → Apr 30. The time of day is the anchor's. If {@code now} is before the anchor (a clock
     * moved back), the first period is returned.
     */
    public static Period anniversary(Instant anchor, Instant now) {
        LocalDateTime a = LocalDateTime.ofInstant(anchor, ZoneOffset.UTC);
        LocalDateTime n = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        // MONTHS.between counts whole months by day-of-month, so it can be one short of the clamped
        // rule (Jan 31 → Feb 28 counts 0); step until anchor+k <= now < anchor+(k+1).
        long k = Math.max(0, ChronoUnit.MONTHS.between(a, n));
        while (k > 0 && a.plusMonths(k).isAfter(n)) {
            k--;
        }
        while (!a.plusMonths(k + 1).isAfter(n)) {
            k++;
        }
        Instant s = a.plusMonths(k).toInstant(ZoneOffset.UTC);
        return new Period(s, Optional.of(a.plusMonths(k + 1).toInstant(ZoneOffset.UTC)), s);
    }
}
