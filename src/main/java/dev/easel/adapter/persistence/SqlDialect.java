package dev.easel.adapter.persistence;

import dev.easel.application.RepositoryException;
import dev.easel.application.Tx;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What differs between the two supported databases: upserts (see {@link #upsert}), and how several workers claim
 * jobs.
 * <ul>
 *   <li>PostgreSQL (many processes): the job row is locked with {@code FOR UPDATE SKIP LOCKED}, so two workers never
 *       wait on each other for the same job, and the owner's running cap is checked under a transaction-scoped
 *       advisory lock on the owner.</li>
 *   <li>H2 (embedded, one process): claims on one database are serialized by a lock in this JVM, held until the
 *       transaction ends.</li>
 * </ul>
 */
public enum SqlDialect {
    POSTGRESQL {
        @Override
        String lockQueuedRow() {
            return " FOR UPDATE SKIP LOCKED";
        }

        @Override
        String upsert(String table, List<String> columns, List<String> keys) {
            StringBuilder sql = new StringBuilder(insert(table, columns)).append(" ON CONFLICT (")
                    .append(String.join(", ", keys)).append(")");
            List<String> rest = columns.stream().filter(c -> !keys.contains(c)).toList();
            if (rest.isEmpty()) {
                return sql.append(" DO NOTHING").toString();
            }
            sql.append(" DO UPDATE SET ");
            sql.append(String.join(", ", rest.stream().map(c -> c + " = EXCLUDED." + c).toList()));
            return sql.toString();
        }

        @Override
        void lockOwner(Tx tx, String database, String userId) {
            // Two-key advisory lock: class 0x6561 ("ea"), key hashtext(user). A hash collision only serializes two users.
            try (PreparedStatement ps = JdbcTx.of(tx).prepareStatement("SELECT pg_advisory_xact_lock(25953, hashtext(?))")) {
                ps.setString(1, userId);
                ps.execute();
            } catch (SQLException e) {
                throw new RepositoryException("could not lock user " + userId + ": " + e.getMessage(), e);
            }
        }
    },
    H2 {
        @Override
        String upsert(String table, List<String> columns, List<String> keys) {
            return "MERGE INTO " + table + " (" + String.join(", ", columns) + ") KEY (" + String.join(", ", keys)
                    + ") VALUES (" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        }

        @Override
        String lockQueuedRow() {
            return " FOR UPDATE";
        }

        @Override
        void lockOwner(Tx tx, String database, String userId) {
            ReentrantLock lock = CLAIM_LOCKS.computeIfAbsent(database, d -> new ReentrantLock());
            lock.lock();
            tx.afterCompletion(committed -> lock.unlock());
        }

        @Override
        boolean lockOwnerFirst() {
            return true;
        }
    };

    private static final Map<String, ReentrantLock> CLAIM_LOCKS = new ConcurrentHashMap<>();

    /** Suffix of the SELECT that reads a QUEUED job to claim it. */
    abstract String lockQueuedRow();

    /** Serializes running-cap checks for one owner until the transaction ends. */
    abstract void lockOwner(Tx tx, String database, String userId);

    /**
     * One statement that inserts the row or, when a row with the same key exists, replaces its other columns
     * (PostgreSQL: {@code INSERT … ON CONFLICT … DO UPDATE}; H2: {@code MERGE INTO … KEY …}). Parameters: the
     * columns in order.
     */
    abstract String upsert(String table, List<String> columns, List<String> keys);

    /**
     * One statement that inserts the row unless a row with the same key exists (then it changes nothing; the
     * update count says which). Safe under concurrency on both databases: an insert that meets another
     * transaction's uncommitted row of the same key waits for it, then inserts or does nothing.
     */
    String insertIfAbsent(String table, List<String> columns) {
        return insert(table, columns) + " ON CONFLICT DO NOTHING";
    }

    static String insert(String table, List<String> columns) {
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
    }

    /** Whether the owner lock is taken before the row is read (H2: the JVM lock guards the whole claim). */
    boolean lockOwnerFirst() {
        return false;
    }

    public static SqlDialect fromProductName(String product) {
        if (product.toLowerCase().contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.toLowerCase().contains("h2")) {
            return H2;
        }
        throw new IllegalArgumentException("unsupported database '" + product + "'; Easel runs on H2 and PostgreSQL");
    }
}
