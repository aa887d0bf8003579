package dev.easel.adapter.discord;

import dev.easel.application.TransactionRunner;

import java.time.Instant;
import java.util.List;

/** Banned words in the {@code moderation_banned_words} table (migration V3). */
public final class JdbcBannedWords implements BannedWords {
    private final TransactionRunner transactions;
    private final Jdbc jdbc;

    public JdbcBannedWords(TransactionRunner transactions) {
        this.transactions = transactions;
        this.jdbc = new Jdbc(transactions);
    }

    @Override
    public boolean add(String guildId, String word, String actorId, Instant at) {
        return transactions.inTransaction(tx -> {
            boolean present = !Jdbc.query(tx, "SELECT word FROM moderation_banned_words WHERE guild_id = ? AND word = ?",
                    rs -> rs.getString(1), guildId, word).isEmpty();
            if (present) {
                return false;
            }
            Jdbc.update(tx, "INSERT INTO moderation_banned_words (guild_id, word, added_by, added_at) VALUES (?, ?, ?, ?)",
                    guildId, word, actorId, at);
            return true;
        });
    }

    @Override
    public boolean remove(String guildId, String word) {
        return jdbc.update("DELETE FROM moderation_banned_words WHERE guild_id = ? AND word = ?", guildId, word) > 0;
    }

    @Override
    public List<String> list(String guildId) {
        return jdbc.query("SELECT word FROM moderation_banned_words WHERE guild_id = ? ORDER BY word",
                rs -> rs.getString(1), guildId);
    }
}
