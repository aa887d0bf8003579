package dev.easel.domain.quota;

/** Whether a plan's image allowance comes back each period or is granted once (a trial). */
public enum Renewal {
    /** The allowance is granted once per member and never renews (a trial). */
    NEVER,
    /** The allowance renews every month (see {@link PeriodMode} for which months). */
    MONTHLY;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
