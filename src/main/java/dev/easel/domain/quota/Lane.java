package dev.easel.domain.quota;

/** The queue lane a job runs in: the worker serves every fast job before any relax job. */
public enum Lane {
    FAST,
    RELAX;

    /** The word used in plans.yaml and admin commands. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
