package dev.easel.adapter.persistence;

import dev.easel.application.RepositoryException;
import dev.easel.application.TransactionRunner;
import dev.easel.application.Tx;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs each unit of work on one pooled connection in READ COMMITTED, committing on return.
 *
 * <p>While the work runs, its transaction is this runner's {@linkplain #current() current} one on the calling
 * thread, so that stores outside the application's ports (the {@link JdbcQuotaStore}) can join it: reserving
 * quota and saving the job then commit together. A nested {@code inTransaction} opens a transaction of its own
 * (as before) and is current until it ends.
 */
public final class JdbcTransactionRunner implements TransactionRunner {
    private final DataSource dataSource;
    private final ThreadLocal<JdbcTx> current = new ThreadLocal<>();

    public JdbcTransactionRunner(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            JdbcTx tx = new JdbcTx(c);
            JdbcTx outer = current.get();
            current.set(tx);
            T result;
            try {
                result = work.apply(tx);
                c.commit();
            } catch (RuntimeException | Error e) {
                rollback(c, e);
                restore(outer);
                tx.complete(false);
                throw e;
            } catch (SQLException e) {
                rollback(c, e);
                restore(outer);
                tx.complete(false);
                throw new RepositoryException("commit failed: " + e.getMessage(), e);
            }
            restore(outer);
            tx.complete(true);
            return result;
        } catch (SQLException e) {
            throw new RepositoryException("no database connection: " + e.getMessage(), e);
        }
    }

    /** The transaction this runner has open on the calling thread (the innermost one), if any. */
    Optional<JdbcTx> current() {
        return Optional.ofNullable(current.get());
    }

    private void restore(JdbcTx outer) {
        if (outer == null) {
            current.remove();
        } else {
            current.set(outer);
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
