package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An application command the bot registered with {@link FakeDiscord}.
 *
 * @param id      command snowflake
 * @param guildId the guild of a guild command, or {@code 0} for a global command
 * @param name    command name
 * @param type    1 slash (CHAT_INPUT), 2 user, 3 message
 * @param json    the command as the stand-in returns it (with id, application_id, version …)
 */
public record RegisteredCommand(long id, long guildId, String name, int type, JsonNode json) {
    /** The declared option with this name at the top level (or inside {@code subcommand} when not null). */
    JsonNode option(String subcommand, String optionName) {
        JsonNode options = json.path("options");
        if (subcommand != null) {
            JsonNode sub = null;
            for (JsonNode o : options) {
                if (o.path("name").asText().equals(subcommand) && o.path("type").asInt() == 1) {
                    sub = o;
                }
            }
            if (sub == null) {
                return null;
            }
            options = sub.path("options");
        }
        for (JsonNode o : options) {
            if (o.path("name").asText().equals(optionName)) {
                return o;
            }
        }
        return null;
    }
}
