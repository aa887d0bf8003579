package dev.easel.adapter.persistence;

import dev.easel.domain.quota.QuotaStore;
import dev.easel.domain.quota.QuotaStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The quota store contract (100-thread races included) on the embedded default: an H2 file database. */
class H2QuotaStoreTest extends QuotaStoreContract {
    @TempDir
    static Path dir;
    private static JdbcDatabase db;

    @Override
    protected QuotaStore newStore() throws Exception {
        if (db == null) {
            db = JdbcDatabase.open(DatabaseSettings.h2File(dir.resolve("quota")));
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
