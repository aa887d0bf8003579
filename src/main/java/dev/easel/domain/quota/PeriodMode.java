package dev.easel.domain.quota;

/**
 * How a guild cuts time into monthly periods, in UTC.
 *
 * <ul>
 *   <li>{@link #ANNIVERSARY}: periods start at the member's subscription start and repeat every
 *       month: the n-th period starts at {@code start + n months}, always computed from the original
 *       start and clamped to the last day of a shorter month. A subscription started on Jan 31
 *       10:00 renews on Feb 28 (Feb 29 in leap years) 10:00, then Mar 31 10:00, Apr 30 10:00, May 31
 *       10:00.</li>
 *   <li>{@link #CALENDAR}: periods are calendar months, starting on the 1st at 00:00 UTC.</li>
 * </ul>
 * In anniversary mode a member's subscription (and so their period) starts anew whenever their
 * resolved plan changes (see {@link Subscription}); where members can give themselves plan roles,
 * prefer calendar periods, which do not depend on when the plan was obtained.
 */
public enum PeriodMode {
    ANNIVERSARY,
    CALENDAR;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
