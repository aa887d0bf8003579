package dev.easel.application;

import java.util.function.Consumer;

/**
 * An open transaction, handed to every repository and to the {@link QuotaGate}, so that one unit of work
 * (reserve quota + save the job, finish the job + commit the charge) commits or rolls back as a whole.
 */
public interface Tx {

    /** The adapter's handle, e.g. {@code tx.unwrap(java.sql.Connection.class)} for JDBC adapters. */
    <T> T unwrap(Class<T> type);

    /** Runs {@code callback} after the transaction ends, on the same thread; the argument is true after a commit. */
    void afterCompletion(Consumer<Boolean> callback);
}
