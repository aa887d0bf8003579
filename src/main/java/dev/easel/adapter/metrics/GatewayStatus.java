package dev.easel.adapter.metrics;

/**
 * The Discord gateway connection as the health check sees it; the bot implements it (JDA's status mapped to these
 * states). A process without a bot has none.
 */
public interface GatewayStatus {

    enum State {
        /** Logged in and receiving events. */
        CONNECTED,
        /** First login in progress. */
        CONNECTING,
        /** Lost the connection and resuming or reconnecting (JDA does this by itself). */
        RECONNECTING,
        /** Not connected and not trying (shut down). */
        DISCONNECTED,
        /** Cannot connect without help: bad token, missing intents. */
        FAILED
    }

    State state();

    /** A short explanation for the health report ("invalid token", "resuming session"); empty if none. */
    default String detail() {
        return "";
    }
}
