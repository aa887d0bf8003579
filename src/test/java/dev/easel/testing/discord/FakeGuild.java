package dev.easel.testing.discord;

/**
 * A guild the bot is in, as {@link FakeDiscord} announces it in GUILD_CREATE.
 *
 * @param id             guild snowflake (also the id of its {@code @everyone} role)
 * @param name           guild name
 * @param textChannelId  its text channel {@code #general}
 * @param memberRoleId   role "Member" (ordinary members)
 * @param adminRoleId    role "Admin" (ADMINISTRATOR permission)
 * @param botRoleId      the bot's managed role
 * @param ownerId        the owner's user id
 */
public record FakeGuild(long id, String name, long textChannelId, long memberRoleId, long adminRoleId,
                        long botRoleId, long ownerId) {
    /** The {@code @everyone} role has the guild's id. */
    public long everyoneRoleId() {
        return id;
    }
}
