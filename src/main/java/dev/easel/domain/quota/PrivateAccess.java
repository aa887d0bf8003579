package dev.easel.domain.quota;

/** What a base plan says about private results (results and prompts visible only to their owner). */
public enum PrivateAccess {
    /** Private results are not available on this plan, not even with an add-on. */
    NONE,
    /** Private results are available when the member also holds an add-on plan (e.g. "private"). */
    ADDON,
    /** The plan itself includes private results. Add-on plans must use this value. */
    INCLUDED;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
