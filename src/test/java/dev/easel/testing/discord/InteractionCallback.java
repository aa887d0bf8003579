package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bot's initial response to an interaction ({@code POST /interactions/{id}/{token}/callback}).
 *
 * @param type 4 message, 5 deferred message, 6 deferred update, 7 update message, 8 autocomplete result, 9 modal
 * @param data the {@code data} object (or payload_json's {@code data}); a missing node when absent
 */
public record InteractionCallback(int type, JsonNode data) {
    public static final int CHANNEL_MESSAGE_WITH_SOURCE = 4;
    public static final int DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5;
    public static final int DEFERRED_UPDATE_MESSAGE = 6;
    public static final int UPDATE_MESSAGE = 7;
    public static final int APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8;
    public static final int MODAL = 9;

    public boolean isEphemeral() {
        return (data.path("flags").asInt(0) & FakeMessage.EPHEMERAL) != 0;
    }
}
