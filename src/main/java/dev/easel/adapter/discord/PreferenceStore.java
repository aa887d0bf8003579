package dev.easel.adapter.discord;

import java.time.Instant;

/** Members' {@link Preferences}, by Discord user (they follow the member across servers and DMs). */
public interface PreferenceStore {

    /** The member's preferences, {@link Preferences#NONE} when never set. */
    Preferences get(String userId);

    void save(String userId, Preferences preferences, Instant at);
}
