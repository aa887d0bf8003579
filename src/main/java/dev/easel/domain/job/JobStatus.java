package dev.easel.domain.job;

/** A job's life: QUEUED → RUNNING → DONE | FAILED | CANCELLED (a RUNNING job may go back to QUEUED on recovery). */
public enum JobStatus {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    public boolean isTerminal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }

    public boolean isActive() {
        return this == QUEUED || this == RUNNING;
    }
}
