package dev.easel.application;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.testing.PostgresDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The plan-based quota in the job service on a real PostgreSQL started by the test harness. */
class PostgresQuotaServiceGateTest extends QuotaServiceGateJdbcContract {
    @RegisterExtension
    static final PostgresDatabase PG = new PostgresDatabase();

    @Override
    protected DatabaseSettings settings() {
        return PG.settings();
    }
}
