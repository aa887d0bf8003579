package dev.easel.adapter.discord;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Preferences in memory (tests, and bots without a database). */
public final class InMemoryPreferenceStore implements PreferenceStore {
    private final Map<String, Preferences> byUser = new ConcurrentHashMap<>();

    @Override
    public Preferences get(String userId) {
        return byUser.getOrDefault(userId, Preferences.NONE);
    }

    @Override
    public void save(String userId, Preferences preferences, Instant at) {
        byUser.put(userId, preferences);
    }
}
