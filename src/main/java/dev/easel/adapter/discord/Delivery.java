package dev.easel.adapter.discord;

import dev.easel.domain.job.JobId;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How a job made on Discord reaches its owner: the interaction that asked for it (its token edits the private
 * status message and posts the result while it lives, 15 minutes), the place to post after that, and whether the
 * result has been delivered. Stored so that a restarted bot still delivers (deliveries are driven by the job's
 * state, not by in-memory callbacks).
 *
 * @param jobId            the job
 * @param interactionToken the token of the interaction that created the job; null once delivered (it is a secret)
 * @param tokenCreatedAt   when the interaction was created (its snowflake time): the token dies 15 minutes later
 * @param userId           the owner
 * @param guildId          the guild, or null in a direct message
 * @param channelId        where the command was used
 * @param privateResult    results go only to the owner (ephemeral messages or DMs)
 * @param uploadLimit      largest file Discord accepts there, from the interaction's attachment_size_limit
 * @param state            PENDING until the result (or failure) has been posted
 * @param attempts         failed delivery attempts so far
 * @param nextAttemptAt    when to try (again)
 * @param lastError        why the last attempt failed, or null
 * @param resultMessageId  the message that carries the result, or null
 * @param via              how it was delivered, or null while pending
 */
public record Delivery(JobId jobId, String interactionToken, Instant tokenCreatedAt, String userId, String guildId,
                       String channelId, boolean privateResult, long uploadLimit, State state, int attempts,
                       Instant nextAttemptAt, String lastError, String resultMessageId, Via via) {

    /** Discord's interaction tokens live 15 minutes. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);
    /** A token is not used in its last 30 seconds: an upload started then could outlive it. */
    public static final Duration TOKEN_MARGIN = Duration.ofSeconds(30);

    public enum State { PENDING, DELIVERED, GAVE_UP }

    /** INTERACTION: through the interaction; CHANNEL: a channel message mentioning the owner; DM: a direct message. */
    public enum Via { INTERACTION, CHANNEL, DM, NONE }

    public Delivery {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(tokenCreatedAt, "tokenCreatedAt");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        if (uploadLimit <= 0) {
            throw new IllegalArgumentException("upload limit must be positive; got " + uploadLimit);
        }
    }

    /** A new, pending delivery for a job just accepted. */
    public static Delivery pending(JobId jobId, String token, Instant tokenCreatedAt, String userId, String guildId,
                                   String channelId, boolean privateResult, long uploadLimit) {
        return new Delivery(jobId, token, tokenCreatedAt, userId, guildId, channelId, privateResult, uploadLimit,
                State.PENDING, 0, tokenCreatedAt, null, null, null);
    }

    /** Whether the interaction token can still be used at {@code now} (with a safety margin). */
    public boolean tokenUsable(Instant now) {
        return interactionToken != null
                && now.isBefore(tokenCreatedAt.plus(TOKEN_LIFETIME).minus(TOKEN_MARGIN));
    }

    public boolean inGuild() {
        return guildId != null;
    }

    public Delivery delivered(String messageId, Via how) {
        return new Delivery(jobId, null, tokenCreatedAt, userId, guildId, channelId, privateResult, uploadLimit,
                State.DELIVERED, attempts, nextAttemptAt, lastError, messageId, how);
    }

    public Delivery failedAttempt(String error, Instant retryAt) {
        return new Delivery(jobId, interactionToken, tokenCreatedAt, userId, guildId, channelId, privateResult,
                uploadLimit, State.PENDING, attempts + 1, retryAt, error, null, null);
    }

    public Delivery gaveUp(String error) {
        return new Delivery(jobId, null, tokenCreatedAt, userId, guildId, channelId, privateResult, uploadLimit,
                State.GAVE_UP, attempts + 1, nextAttemptAt, error, null, null);
    }

    @Override
    public String toString() {
        return "Delivery[job=" + jobId + ", token=" + (interactionToken == null ? "none" : "***") + ", created="
                + tokenCreatedAt + ", user=" + userId + ", guild=" + guildId + ", channel=" + channelId
                + ", private=" + privateResult + ", limit=" + uploadLimit + ", " + state + ", attempts=" + attempts
                + ", next=" + nextAttemptAt + ", error=" + lastError + ", message=" + resultMessageId + ", via=" + via
                + "]";
    }
}
