package dev.easel.domain.job;

/** Queue lanes: every queued FAST job starts before any RELAX job. */
public enum Lane {
    FAST(0), RELAX(1);

    private final int priority;

    Lane(int priority) {
        this.priority = priority;
    }

    /** Lower runs first. */
    public int priority() {
        return priority;
    }

    public static Lane ofPriority(int priority) {
        for (Lane lane : values()) {
            if (lane.priority == priority) {
                return lane;
            }
        }
        throw new IllegalArgumentException("no lane has priority " + priority + "; known: 0 (FAST), 1 (RELAX)");
    }
}
