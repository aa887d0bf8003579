package dev.easel.testing.discord;

/**
 * A Discord user known to {@link FakeDiscord}.
 *
 * @param id         snowflake
 * @param username   unique user name (lower case, no discriminator)
 * @param globalName display name, may be {@code null}
 * @param bot        whether the account is a bot
 */
public record FakeUser(long id, String username, String globalName, boolean bot) {
    public String mention() {
        return "<@" + Long.toUnsignedString(id) + ">";
    }
}
