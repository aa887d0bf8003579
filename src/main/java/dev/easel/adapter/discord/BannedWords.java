package dev.easel.adapter.discord;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Words (or phrases) a server does not allow in prompts; {@code /moderation words} edits them and every job is
 * checked before it is charged. Words are stored in lower case and match whole words, case-insensitively:
 * "gore" matches "Gore, blood" but not "gorey" or "Algore".
 */
public interface BannedWords {
    /** Longest word or phrase. */
    int MAX_LENGTH = 100;
    /** Most words per server. */
    int MAX_WORDS = 500;

    /** Adds the (normalized) word; false when the server already has it. */
    boolean add(String guildId, String word, String actorId, Instant at);

    /** Removes the (normalized) word; false when the server does not have it. */
    boolean remove(String guildId, String word);

    /** The server's words, A–Z. */
    List<String> list(String guildId);

    /**
     * The canonical form of a word an admin typed: trimmed, lower case, inner runs of spaces made single. Empty when
     * nothing is left, or it is longer than {@link #MAX_LENGTH}, or it has no letter or digit.
     */
    static Optional<String> normalize(String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        String w = typed.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        if (w.isEmpty() || w.length() > MAX_LENGTH || w.codePoints().noneMatch(Character::isLetterOrDigit)) {
            return Optional.empty();
        }
        return Optional.of(w);
    }

    /** The first of {@code words} found in {@code prompt} as a whole word or phrase, ignoring case. */
    static Optional<String> firstMatch(String prompt, Collection<String> words) {
        if (prompt == null || words.isEmpty()) {
            return Optional.empty();
        }
        for (String w : words) {
            // (?<![letter/digit]) word (?![letter/digit]); the spaces of a phrase match any whitespace
            String body = String.join("\\s+", java.util.Arrays.stream(w.split(" ")).map(Pattern::quote).toList());
            Pattern p = Pattern.compile("(?<![\\p{L}\\p{N}])" + body + "(?![\\p{L}\\p{N}])",
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            if (p.matcher(prompt).find()) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
