package dev.easel.adapter.persistence;

import dev.easel.application.RepositoryException;
import dev.easel.application.Tx;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What differs between the two supported databases when several workers claim jobs.
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
