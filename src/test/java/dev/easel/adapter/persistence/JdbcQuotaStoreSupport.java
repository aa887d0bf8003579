package dev.easel.adapter.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Empties the quota tables, so that each contract test starts from a fresh store on a database opened once per class. */
final class JdbcQuotaStoreSupport {
    private JdbcQuotaStoreSupport() {
    }

    static void clear(JdbcDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[]{"quota_guilds", "quota_plans", "quota_role_plans", "quota_sku_plans",
                    "quota_assignments", "quota_accounts", "quota_meters", "quota_reservations", "quota_audit"}) {
                s.execute("DELETE FROM " + table);
            }
        }
    }
}
