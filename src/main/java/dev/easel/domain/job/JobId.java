package dev.easel.domain.job;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A job's identifier: 12 characters of Crockford base32 in lower case (0-9 and a-z without i, l, o, u),
 * i.e. 60 random bits. Safe in URLs, file names and Discord custom ids, and short enough to read aloud.
 */
public record JobId(String value) {
    public static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    public static final int LENGTH = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    public JobId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("a job id is " + LENGTH
                    + " characters of 0-9 and a-z without i, l, o, u; got '" + value + "'");
        }
    }

    public static JobId newId() {
        return random(RANDOM);
    }

    public static JobId random(RandomGenerator random) {
        long bits = random.nextLong();
        char[] chars = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) { // 12 × 5 bits = 60 of the 64 random bits
            chars[i] = ALPHABET.charAt((int) (bits & 31));
            bits >>>= 5;
        }
        return new JobId(new String(chars));
    }

    /** The id, or empty when the text is not a well-formed job id (case-insensitive). */
    public static Optional<JobId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String lower = text.strip().toLowerCase(java.util.Locale.ROOT);
        return isValid(lower) ? Optional.of(new JobId(lower)) : Optional.empty();
    }

    private static boolean isValid(String value) {
        if (value == null || value.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (ALPHABET.indexOf(value.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
