package dev.easel.adapter.discord;

import dev.easel.application.RepositoryException;
import dev.easel.application.TransactionRunner;
import dev.easel.application.Tx;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The little JDBC the bot's stores need, run in the job service's transactions (H2 and PostgreSQL alike). */
final class Jdbc {
    /** Reads one row into a value. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final TransactionRunner transactions;

    Jdbc(TransactionRunner transactions) {
        this.transactions = transactions;
    }

    int update(String sql, Object... args) {
        return transactions.inTransaction(tx -> update(tx, sql, args));
    }

    <T> List<T> query(String sql, Row<T> row, Object... args) {
        return transactions.inTransaction(tx -> query(tx, sql, row, args));
    }

    static int update(Tx tx, String sql, Object... args) {
        try (PreparedStatement ps = tx.unwrap(Connection.class).prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("database write failed (" + e.getMessage() + ")", e);
        }
    }

    static <T> List<T> query(Tx tx, String sql, Row<T> row, Object... args) {
        try (PreparedStatement ps = tx.unwrap(Connection.class).prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new RepositoryException("database read failed (" + e.getMessage() + ")", e);
        }
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Instant t) {
                // microseconds: what both databases keep
                ps.setObject(i + 1, OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
            } else if (a instanceof NullOf n) {
                ps.setNull(i + 1, n.sqlType());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** A typed SQL NULL argument. */
    record NullOf(int sqlType) {
        static final NullOf TEXT = new NullOf(Types.VARCHAR);
        static final NullOf INTEGER = new NullOf(Types.INTEGER);
        static final NullOf TIMESTAMP = new NullOf(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    static Object text(String s) {
        return s == null ? NullOf.TEXT : s;
    }

    static Object integer(Integer i) {
        return i == null ? NullOf.INTEGER : i;
    }
}
