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
        return option(null, subcommand, optionName);
    }

    /** The declared subcommand (type 1), inside subcommand group {@code group} (type 2) when not null. */
    JsonNode subcommand(String group, String subcommand) {
        JsonNode options = json.path("options");
        if (group != null) {
            options = named(options, group, 2);
            if (options == null) {
                return null;
            }
            options = options.path("options");
        }
        return named(options, subcommand, 1);
    }

    private static JsonNode named(JsonNode options, String name, int type) {
        for (JsonNode o : options) {
            if (o.path("name").asText().equals(name) && o.path("type").asInt() == type) {
                return o;
            }
        }
        return null;
    }

    /** The declared option with this name at the top level, or inside the (grouped) subcommand when not null. */
    JsonNode option(String group, String subcommand, String optionName) {
        JsonNode options = json.path("options");
        if (subcommand != null) {
            JsonNode sub = subcommand(group, subcommand);
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
