package dev.easel.adapter.discord;

import dev.easel.application.TransactionRunner;
import dev.easel.domain.job.JobId;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Deliveries in the {@code discord_deliveries} table (migration V3_1), next to the jobs they deliver. */
public final class JdbcDeliveryStore implements DeliveryStore {
    private static final String COLUMNS = "job_id, interaction_token, token_created_at, user_id, guild_id, channel_id, "
            + "private_result, upload_limit, state, attempts, next_attempt_at, last_error, result_message_id, via";

    private final TransactionRunner transactions;
    private final Jdbc jdbc;

    public JdbcDeliveryStore(TransactionRunner transactions) {
        this.transactions = transactions;
        this.jdbc = new Jdbc(transactions);
    }

    @Override
    public void save(Delivery d) {
        transactions.run(tx -> {
            Jdbc.update(tx, "DELETE FROM discord_deliveries WHERE job_id = ?", d.jobId().value());
            Jdbc.update(tx, "INSERT INTO discord_deliveries (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                d.jobId().value(), Jdbc.text(d.interactionToken()), d.tokenCreatedAt(), d.userId(),
                Jdbc.text(d.guildId()), d.channelId(), d.privateResult(), d.uploadLimit(), d.state().name(),
                d.attempts(), d.nextAttemptAt(), Jdbc.text(d.lastError()), Jdbc.text(d.resultMessageId()),
                Jdbc.text(d.via() == null ? null : d.via().name()));
        });
    }

    @Override
    public Optional<Delivery> find(JobId jobId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM discord_deliveries WHERE job_id = ?", JdbcDeliveryStore::read,
                jobId.value()).stream().findFirst();
    }

    @Override
    public void update(Delivery d) {
        jdbc.update("UPDATE discord_deliveries SET interaction_token = ?, state = ?, attempts = ?, next_attempt_at = ?, "
                        + "last_error = ?, result_message_id = ?, via = ? WHERE job_id = ?",
                Jdbc.text(d.interactionToken()), d.state().name(), d.attempts(), d.nextAttemptAt(),
                Jdbc.text(truncate(d.lastError())), Jdbc.text(d.resultMessageId()),
                Jdbc.text(d.via() == null ? null : d.via().name()), d.jobId().value());
    }

    @Override
    public List<Delivery> due(Instant now, int limit) {
        // only deliveries whose job has finished: running jobs are not worth looking at every sweep
        return jdbc.query("SELECT " + COLUMNS.replaceAll("(\\w+)", "d.$1") + " FROM discord_deliveries d "
                + "JOIN jobs j ON j.id = d.job_id WHERE d.state = 'PENDING' AND d.next_attempt_at <= ? "
                + "AND j.status IN ('DONE', 'FAILED', 'CANCELLED') ORDER BY d.token_created_at LIMIT "
                + Math.max(1, limit), JdbcDeliveryStore::read, now);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    private static Delivery read(ResultSet rs) throws SQLException {
        String via = rs.getString("via");
        return new Delivery(new JobId(rs.getString("job_id")), rs.getString("interaction_token"),
                Jdbc.instant(rs, "token_created_at"), rs.getString("user_id"), rs.getString("guild_id"),
                rs.getString("channel_id"), rs.getBoolean("private_result"), rs.getLong("upload_limit"),
                Delivery.State.valueOf(rs.getString("state")), rs.getInt("attempts"),
                Jdbc.instant(rs, "next_attempt_at"), rs.getString("last_error"), rs.getString("result_message_id"),
                via == null ? null : Delivery.Via.valueOf(via));
    }
}
