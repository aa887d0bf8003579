package dev.easel.adapter.discord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code fields} option of {@code /plans create}: {@code key=value} pairs separated by spaces; a value
 * with spaces goes in double quotes ({@code displayName="Gold tier"}). Keys are checked by the quota domain.
 */
final class FieldList {
    /** What can be wrong (the text for members is {@link BotMessages#fieldProblem}). */
    enum Problem { NO_VALUE, NO_NAME, UNCLOSED_QUOTE, EMPTY_VALUE, TWICE }

    /** A mistake in the text: what, and the field (or the 1-based position when the name is missing). */
    static final class BadFields extends Exception {
        final Problem problem;
        final String key;

        BadFields(Problem problem, String key) {
            super(problem + " " + key, null, false, false);
            this.problem = problem;
            this.key = key;
        }
    }

    private FieldList() {
    }

    static Map<String, String> parse(String text) throws BadFields {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            if (i >= n || text.charAt(i) != '=') {
                throw new BadFields(Problem.NO_VALUE, key);
            }
            if (key.isEmpty()) {
                throw new BadFields(Problem.NO_NAME, Integer.toString(keyStart + 1));
            }
            i++;
            String value;
            if (i < n && text.charAt(i) == '"') {
                int close = text.indexOf('"', i + 1);
                if (close < 0) {
                    throw new BadFields(Problem.UNCLOSED_QUOTE, key);
                }
                value = text.substring(i + 1, close);
                i = close + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                value = text.substring(start, i);
            }
            if (value.isEmpty()) {
                throw new BadFields(Problem.EMPTY_VALUE, key);
            }
            if (out.put(key, value) != null) {
                throw new BadFields(Problem.TWICE, key);
            }
        }
    }
}
