package dev.easel.testing.discord;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Describes a slash-command (or autocomplete) interaction for {@link FakeDiscord} to send; obtain one from
 * {@link FakeDiscord#slashCommand(String)} or {@link FakeDiscord#autocomplete(String)}.
 *
 * <p>Defaults: the default user ({@link FakeDiscord#defaultUser()}) as an ordinary member in the first guild's
 * {@code #general}. Option values are converted by the type the bot registered for the option (string, integer,
 * boolean, number, user, channel, role, mentionable, attachment), and checked as Discord's client would (declared
 * name, choices, min/max, required options): a mismatch is an {@link IllegalArgumentException} naming what is
 * allowed.
 */
public final class InteractionBuilder {
    /** Where the command is invoked: a guild channel, the bot's DM, or a DM between users (user-installed app). */
    enum Place { GUILD, BOT_DM, PRIVATE_CHANNEL }

    /** A file a user attaches to an attachment option. */
    record FileUpload(String filename, String contentType, byte[] bytes) {
    }

    final FakeDiscord discord;
    final String commandName;
    final boolean autocomplete;
    String subcommand;
    String subcommandGroup;
    FakeUser user;
    FakeGuild guild;
    long channelId;
    MemberSpec member;
    Place place = Place.GUILD;
    String locale = "en-US";
    final Map<String, Object> options = new LinkedHashMap<>();
    String focused;

    InteractionBuilder(FakeDiscord discord, String commandName, boolean autocomplete) {
        this.discord = discord;
        this.commandName = Objects.requireNonNull(commandName, "commandName");
        this.autocomplete = autocomplete;
    }

    /** The invoking user. */
    public InteractionBuilder user(FakeUser user) {
        this.user = Objects.requireNonNull(user, "user");
        return this;
    }

    /** Invoke in {@code guild}'s text channel. */
    public InteractionBuilder inGuild(FakeGuild guild) {
        return inChannel(guild, guild.textChannelId());
    }

    /** Invoke in a channel of {@code guild}. */
    public InteractionBuilder inChannel(FakeGuild guild, long channelId) {
        this.place = Place.GUILD;
        this.guild = Objects.requireNonNull(guild, "guild");
        this.channelId = channelId;
        return this;
    }

    /** Roles and permissions of the invoking member (guild only). */
    public InteractionBuilder member(MemberSpec member) {
        this.member = Objects.requireNonNull(member, "member");
        return this;
    }

    /** Invoke in the user's DM with the bot (context BOT_DM). */
    public InteractionBuilder inBotDm() {
        this.place = Place.BOT_DM;
        this.guild = null;
        return this;
    }

    /**
     * Invoke in a DM between the user and someone else, through the app the user installed on their account
     * (context PRIVATE_CHANNEL, integration owner USER_INSTALL). The bot cannot post in that channel.
     */
    public InteractionBuilder inPrivateChannel() {
        this.place = Place.PRIVATE_CHANNEL;
        this.guild = null;
        return this;
    }

    /** Invoke a subcommand of a subcommand group, e.g. {@code /moderation words add}: group "words", name "add". */
    public InteractionBuilder subcommand(String group, String name) {
        this.subcommandGroup = Objects.requireNonNull(group, "group");
        this.subcommand = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Invoke a subcommand of the command. */
    public InteractionBuilder subcommand(String name) {
        this.subcommand = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * An option value: String, Number, Boolean, {@link FakeUser} (user/mentionable), or a Long snowflake for
     * channel/role options.
     */
    public InteractionBuilder option(String name, Object value) {
        options.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A file for an attachment option (served by the stand-in at the attachment's url). */
    public InteractionBuilder attachment(String name, String filename, byte[] bytes) {
        options.put(name, new FileUpload(filename, DiscordState.guessType(filename), bytes.clone()));
        return this;
    }

    /** The option being typed (autocomplete only) and its partial text. */
    public InteractionBuilder focused(String name, String partial) {
        if (!autocomplete) {
            throw new IllegalStateException("focused options exist only in autocomplete interactions");
        }
        options.put(name, partial);
        this.focused = name;
        return this;
    }

    /** The user's client locale (default en-US). */
    public InteractionBuilder locale(String locale) {
        this.locale = Objects.requireNonNull(locale, "locale");
        return this;
    }

    /** Sends INTERACTION_CREATE over the gateway and returns its handle. */
    public FakeInteraction send() {
        return discord.send(this);
    }
}
