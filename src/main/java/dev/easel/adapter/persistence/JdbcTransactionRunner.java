package dev.easel.adapter.persistence;

import dev.easel.application.RepositoryException;
import dev.easel.application.TransactionRunner;
import dev.easel.application.Tx;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/** Runs each unit of work on one pooled connection in READ COMMITTED, committing on return. */
public final class JdbcTransactionRunner implements TransactionRunner {
    private final DataSource dataSource;

    public JdbcTransactionRunner(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            JdbcTx tx = new JdbcTx(c);
            T result;
            try {
                result = work.apply(tx);
                c.commit();
            } catch (RuntimeException | Error e) {
                rollback(c, e);
                tx.complete(false);
                throw e;
            } catch (SQLException e) {
                rollback(c, e);
                tx.complete(false);
                throw new RepositoryException("commit failed: " + e.getMessage(), e);
            }
            tx.complete(true);
            return result;
        } catch (SQLException e) {
            throw new RepositoryException("no database connection: " + e.getMessage(), e);
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
