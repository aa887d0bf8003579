package dev.easel.adapter.discord;

import dev.easel.application.TransactionRunner;

import java.time.Instant;

/** Preferences in the {@code discord_preferences} table (migration V3_1). */
public final class JdbcPreferenceStore implements PreferenceStore {
    private final TransactionRunner transactions;
    private final Jdbc jdbc;

    public JdbcPreferenceStore(TransactionRunner transactions) {
        this.transactions = transactions;
        this.jdbc = new Jdbc(transactions);
    }

    @Override
    public Preferences get(String userId) {
        return jdbc.query("SELECT aspect_ratio, sampler, steps FROM discord_preferences WHERE user_id = ?",
                rs -> {
                    String aspect = rs.getString(1);
                    String sampler = rs.getString(2);
                    int steps = rs.getInt(3);
                    boolean noSteps = rs.wasNull(); // right after reading steps
                    return new Preferences(aspect, sampler, noSteps ? null : steps);
                }, userId).stream().findFirst().orElse(Preferences.NONE);
    }

    @Override
    public void save(String userId, Preferences p, Instant at) {
        transactions.run(tx -> {
            Jdbc.update(tx, "DELETE FROM discord_preferences WHERE user_id = ?", userId);
            Jdbc.update(tx, "INSERT INTO discord_preferences (user_id, aspect_ratio, sampler, steps, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?)", userId, Jdbc.text(p.aspectRatio()), Jdbc.text(p.sampler()),
                    Jdbc.integer(p.steps()), at);
        });
    }
}
