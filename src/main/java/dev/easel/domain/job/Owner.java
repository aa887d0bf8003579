package dev.easel.domain.job;

/**
 * Who asked for a job and where to deliver it. Ids are platform strings (Discord snowflakes, or "local"
 * for the command line); guild and channel are null for direct messages and the command line.
 */
public record Owner(String userId, String guildId, String channelId) {
    public static final int MAX_ID_LENGTH = 64;

    public Owner {
        if (userId == null || userId.isBlank() || userId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("user id must be 1-" + MAX_ID_LENGTH + " characters; got '" + userId + "'");
        }
        checkOptional("guild id", guildId);
        checkOptional("channel id", channelId);
    }

    public static Owner user(String userId) {
        return new Owner(userId, null, null);
    }

    private static void checkOptional(String what, String id) {
        if (id != null && (id.isBlank() || id.length() > MAX_ID_LENGTH)) {
            throw new IllegalArgumentException(what + " must be null or 1-" + MAX_ID_LENGTH + " characters; got '" + id + "'");
        }
    }
}
