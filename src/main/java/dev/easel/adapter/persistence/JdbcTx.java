package dev.easel.adapter.persistence;

import dev.easel.application.Tx;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A JDBC transaction: one connection with auto-commit off. */
final class JdbcTx implements Tx {
    private final Connection connection;
    private final List<Consumer<Boolean>> callbacks = new ArrayList<>();

    JdbcTx(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(connection)) {
            return type.cast(connection);
        }
        throw new IllegalArgumentException("a JDBC transaction offers a java.sql.Connection, not " + type.getName());
    }

    @Override
    public void afterCompletion(Consumer<Boolean> callback) {
        callbacks.add(callback);
    }

    void complete(boolean committed) {
        RuntimeException first = null;
        for (Consumer<Boolean> c : callbacks) {
            try {
                c.accept(committed);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        callbacks.clear();
        if (first != null) {
            throw first;
        }
    }

    static Connection of(Tx tx) {
        return tx.unwrap(Connection.class);
    }
}
