package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.testing.discord.DiscordState.InteractionState;
import dev.easel.testing.discord.DiscordState.MessageState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Handle on an interaction {@link FakeDiscord} sent to the bot: what the bot answered, which message holds the
 * answer, which follow-ups it posted.
 */
public final class FakeInteraction {
    private final DiscordState state;
    private final InteractionState i;

    FakeInteraction(DiscordState state, InteractionState interaction) {
        this.state = state;
        this.i = interaction;
    }

    public long id() {
        return i.id;
    }

    public String token() {
        return i.token;
    }

    /** 2 application command, 3 message component, 4 autocomplete. */
    public int type() {
        return i.type;
    }

    public FakeUser user() {
        return i.user;
    }

    /** The guild, or 0 in a DM. */
    public long guildId() {
        return i.guildId;
    }

    public long channelId() {
        return i.channelId;
    }

    /** The INTERACTION_CREATE payload ({@code d}) as sent over the gateway. */
    public JsonNode payload() {
        return i.payload.deepCopy();
    }

    /** When the 15-minute token expires (stand-in clock). */
    public Instant tokenExpiresAt() {
        return i.createdAt.plus(DiscordState.TOKEN_LIFETIME);
    }

    /** The initial response, if the bot has given one. */
    public Optional<InteractionCallback> callback() {
        synchronized (state) {
            return Optional.ofNullable(i.callback);
        }
    }

    /** Waits for the initial response. */
    public InteractionCallback awaitCallback(Duration timeout) {
        return state.await(this::callback, timeout, () -> "no response to interaction " + describe());
    }

    /** The message the initial response created or updated ({@code @original}), latest version. */
    public Optional<FakeMessage> original() {
        synchronized (state) {
            if (i.originalMessageId == null) {
                return Optional.empty();
            }
            MessageState m = state.messages.get(i.originalMessageId);
            return Optional.ofNullable(m).map(MessageState::snapshot);
        }
    }

    /** Waits until the original response exists and satisfies {@code condition} (e.g. an edit arrived). */
    public FakeMessage awaitOriginal(Predicate<FakeMessage> condition, Duration timeout) {
        return state.await(() -> original().filter(condition), timeout,
                () -> "original response of " + describe() + " never matched; last: " + original().orElse(null));
    }

    /** Follow-up messages (not counting the one that filled a deferred reply), latest versions. */
    public List<FakeMessage> followUps() {
        synchronized (state) {
            return i.followUpIds.stream().map(id -> state.messages.get(id).snapshot()).toList();
        }
    }

    /** Waits for a follow-up message satisfying {@code condition}. */
    public FakeMessage awaitFollowUp(Predicate<FakeMessage> condition, Duration timeout) {
        return state.await(() -> followUps().stream().filter(condition).findFirst(), timeout,
                () -> "no matching follow-up for " + describe() + "; follow-ups: " + followUps());
    }

    private String describe() {
        return "#" + Long.toUnsignedString(i.id) + " (type " + i.type
                + (i.commandName != null ? ", /" + i.commandName : "") + ", user " + i.user.username() + ")";
    }

    @Override
    public String toString() {
        return "FakeInteraction" + describe();
    }
}
