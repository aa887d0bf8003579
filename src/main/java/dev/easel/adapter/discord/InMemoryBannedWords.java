package dev.easel.adapter.discord;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/** Banned words in memory (tests, and bots without a database). */
public final class InMemoryBannedWords implements BannedWords {
    private final Map<String, Set<String>> byGuild = new ConcurrentHashMap<>();

    @Override
    public boolean add(String guildId, String word, String actorId, Instant at) {
        return byGuild.computeIfAbsent(guildId, g -> new ConcurrentSkipListSet<>()).add(word);
    }

    @Override
    public boolean remove(String guildId, String word) {
        Set<String> words = byGuild.get(guildId);
        return words != null && words.remove(word);
    }

    @Override
    public List<String> list(String guildId) {
        return List.copyOf(byGuild.getOrDefault(guildId, Set.of()));
    }
}
