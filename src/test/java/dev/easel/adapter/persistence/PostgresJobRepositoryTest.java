package dev.easel.adapter.persistence;

import dev.easel.testing.PostgresDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The repository suite on a real PostgreSQL (started by the test harness). */
class PostgresJobRepositoryTest extends JobRepositoryContract {
    @RegisterExtension
    static final PostgresDatabase PG = new PostgresDatabase();

    @Override
    protected DatabaseSettings settings() {
        return PG.settings();
    }
}
