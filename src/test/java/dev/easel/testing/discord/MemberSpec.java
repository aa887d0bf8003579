package dev.easel.testing.discord;

import java.util.List;

/**
 * How the invoking member looks in a guild interaction: the role ids it holds and its resolved permissions in the
 * channel (the {@code member.permissions} field Discord computes; a bit set of Discord permission flags).
 */
public record MemberSpec(List<Long> roleIds, long permissions) {
    /** VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES, READ_MESSAGE_HISTORY, USE_APPLICATION_COMMANDS. */
    public static final long MEMBER_PERMISSIONS = (1L << 10) | (1L << 11) | (1L << 14) | (1L << 15) | (1L << 16)
            | (1L << 31);
    /** ADMINISTRATOR (all permissions). */
    public static final long ADMINISTRATOR = 1L << 3;

    public MemberSpec {
        roleIds = List.copyOf(roleIds);
    }

    public static MemberSpec of(long permissions, Long... roleIds) {
        return new MemberSpec(List.of(roleIds), permissions);
    }

    /** An ordinary member of {@code guild}: role "Member", {@link #MEMBER_PERMISSIONS}. */
    public static MemberSpec member(FakeGuild guild) {
        return new MemberSpec(List.of(guild.memberRoleId()), MEMBER_PERMISSIONS);
    }

    /** An administrator of {@code guild}: roles "Member" and "Admin", all permissions. */
    public static MemberSpec admin(FakeGuild guild) {
        return new MemberSpec(List.of(guild.memberRoleId(), guild.adminRoleId()), allPermissions());
    }

    /** Discord reports every permission bit set for administrators; 2^51 - 1 covers all flags defined today. */
    public static long allPermissions() {
        return (1L << 51) - 1;
    }
}
