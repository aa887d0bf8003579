package dev.easel.testing;

import dev.easel.application.QuotaDecision;
import dev.easel.application.QuotaGate;
import dev.easel.application.ReservationRequest;
import dev.easel.application.Tx;
import dev.easel.domain.job.Lane;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A quota gate for tests that keeps a ledger in the jobs database, inside the caller's transaction: every
 * reservation is a row, and commit/refund set its state and count how often it was ended. Users whose id starts
 * with "relax" get the RELAX lane, "private" private results; the caps are per-user running/queued jobs.
 */
public final class LedgerQuotaGate implements QuotaGate {
    public record Entry(String userId, int images, String state, int ends, String reason) {
    }

    private final int maxRunning;
    private final int maxQueued;

    public LedgerQuotaGate(int maxRunning, int maxQueued) {
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
    }

    public static void createTable(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test_ledger (reservation_id VARCHAR(64) PRIMARY KEY, "
                    + "user_id VARCHAR(64) NOT NULL, images INTEGER NOT NULL, state VARCHAR(16) NOT NULL, "
                    + "ends INTEGER NOT NULL, reason VARCHAR(2000))");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Entry> read(DataSource ds) {
        Map<String, Entry> out = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT reservation_id, user_id, images, state, ends, reason FROM test_ledger")) {
            while (rs.next()) {
                out.put(rs.getString(1), new Entry(rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5),
                        rs.getString(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    public QuotaDecision reserve(ReservationRequest request, Tx tx) {
        if (request.load().queued() >= maxQueued) {
            return new QuotaDecision.Denied("queue full: " + request.load().queued() + " of " + maxQueued);
        }
        String id = "led-" + UUID.randomUUID();
        exec(tx, "INSERT INTO test_ledger (reservation_id, user_id, images, state, ends) VALUES (?, ?, ?, 'RESERVED', 0)",
                id, request.owner().userId(), request.imageCount());
        String user = request.owner().userId();
        return new QuotaDecision.Granted(id, user.startsWith("relax") ? "relax-plan" : "test-plan",
                user.startsWith("relax") ? Lane.RELAX : Lane.FAST, user.startsWith("private"), maxRunning);
    }

    @Override
    public void commit(String reservationId, Tx tx) {
        exec(tx, "UPDATE test_ledger SET state = 'COMMITTED', ends = ends + 1 WHERE reservation_id = ?", reservationId);
    }

    @Override
    public void refund(String reservationId, String reason, Tx tx) {
        exec(tx, "UPDATE test_ledger SET state = 'REFUNDED', ends = ends + 1, reason = ? WHERE reservation_id = ?",
                reason, reservationId);
    }

    private static void exec(Tx tx, String sql, Object... args) {
        try (PreparedStatement ps = tx.unwrap(Connection.class).prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
