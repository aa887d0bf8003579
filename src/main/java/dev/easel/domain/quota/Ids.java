package dev.easel.domain.quota;

/** Checks for the platform ids (Discord snowflakes as text) that quota operations take. */
final class Ids {
    private Ids() {
    }

    /** Returns {@code id} if it is 1–64 visible characters without spaces; otherwise throws naming {@code what}. */
    static String check(String what, String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException(what + " id is missing");
        }
        if (id.length() > 64 || id.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException(what + " id '" + id + "' is invalid: expected 1 to 64 characters without spaces");
        }
        return id;
    }
}
