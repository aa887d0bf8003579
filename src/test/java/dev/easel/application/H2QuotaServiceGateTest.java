package dev.easel.application;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.testing.JobKit;

/** The plan-based quota in the job service on the embedded default (in-memory H2, PostgreSQL mode). */
class H2QuotaServiceGateTest extends QuotaServiceGateJdbcContract {
    @Override
    protected DatabaseSettings settings() {
        return JobKit.h2Memory();
    }
}
