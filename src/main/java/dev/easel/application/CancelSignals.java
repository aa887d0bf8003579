package dev.easel.application;

import dev.easel.domain.job.JobId;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stop requests for running jobs, seen at once by workers in this process (workers in other processes see the
 * database flag at their next poll).
 */
public final class CancelSignals {
    private final Set<JobId> requested = ConcurrentHashMap.newKeySet();

    public void request(JobId id) {
        requested.add(id);
    }

    public boolean isRequested(JobId id) {
        return requested.contains(id);
    }

    /** Forgets a finished job. */
    public void clear(JobId id) {
        requested.remove(id);
    }
}
