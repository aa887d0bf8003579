package dev.easel.adapter.persistence;

import dev.easel.domain.quota.QuotaStore;
import dev.easel.domain.quota.QuotaStoreContract;
import dev.easel.testing.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The quota store contract (100-thread races included) on a real PostgreSQL started by the test harness. */
class PostgresQuotaStoreTest extends QuotaStoreContract {
    @RegisterExtension
    static final PostgresDatabase PG = new PostgresDatabase();
    private static JdbcDatabase db;

    @Override
    protected QuotaStore newStore() throws Exception {
        if (db == null) {
            db = JdbcDatabase.open(PG.settings());
        }
        JdbcQuotaStoreSupport.clear(db);
        return db.quotaStore();
    }

    @AfterAll
    static void closeDb() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
