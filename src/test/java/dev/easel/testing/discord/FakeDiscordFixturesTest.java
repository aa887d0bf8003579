package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stand-in's gateway fixtures have Discord's current shapes: each object that also exists in the REST API
 * validates against the OpenAPI response schema of that object (REST answers are checked on every request).
 */
class FakeDiscordFixturesTest {
    private static final OpenApiValidator SPEC = OpenApiValidator.shared();

    @Test
    void guildCreateAndItsRolesMembersAndChannelsMatchTheResponseSchemas() {
        try (FakeDiscord discord = FakeDiscord.builder().guild("Studio").guild("Gallery").start()) {
            for (FakeGuild guild : discord.guilds()) {
                JsonNode g = discord.guildCreatePayload(guild);

                assertEquals(List.of(), SPEC.validateComponent("GuildResponse", g));
                for (JsonNode role : g.path("roles")) {
                    assertEquals(List.of(), SPEC.validateComponent("GuildRoleResponse", role), role.toString());
                    assertTrue(role.path("colors").has("primary_color"), "JDA requires the colors object");
                }
                for (JsonNode member : g.path("members")) {
                    assertEquals(List.of(), SPEC.validateComponent("GuildMemberResponse", member), member.toString());
                }
                for (JsonNode channel : g.path("channels")) {
                    assertEquals(List.of(), SPEC.validateComponent("GuildChannelResponse", channel), channel.toString());
                }
                // JDA's parser: afk_timeout must be one of Discord's values; the gateway-only arrays must exist
                assertTrue(Set.of(60, 300, 900, 1800, 3600).contains(g.path("afk_timeout").asInt()));
                for (String array : List.of("members", "channels", "threads", "voice_states", "emojis",
                        "guild_scheduled_events", "roles")) {
                    assertTrue(g.path(array).isArray(), array);
                }
                assertEquals(g.path("members").size(), g.path("member_count").asInt());
            }
        }
    }

    @Test
    void userAndEntitlementFixturesMatchTheResponseSchemas() {
        try (FakeDiscord discord = FakeDiscord.start()) {
            FakeEntitlement e = discord.grantEntitlement(discord.defaultUser(), 42L, java.time.Duration.ofDays(30));

            assertEquals(List.of(), SPEC.validateComponent("UserPIIResponse", DiscordJson.selfUser(discord.botUser())));
            assertEquals(List.of(), SPEC.validateComponent("UserResponse", DiscordJson.user(discord.defaultUser())));
            assertEquals(List.of(), SPEC.validateComponent("EntitlementResponse",
                    DiscordJson.entitlement(e, discord.applicationId())));
        }
    }

    @Test
    void aBrokenFixtureWouldBeReported() {
        JsonNode role = DiscordJson.role(1, "Member", 0, 1, null);
        ((com.fasterxml.jackson.databind.node.ObjectNode) role).remove("colors");

        List<String> errors = SPEC.validateComponent("GuildRoleResponse", role);

        assertEquals(List.of("$: required property 'colors' not found"), errors);
    }

    @Test
    void snowflakesAreUniqueAndIncreasingUnderAFrozenClock() {
        FakeClock clock = FakeClock.startingNow();
        Snowflakes ids = new Snowflakes(clock);
        long previous = 0;
        for (int k = 0; k < 10_000; k++) {
            long id = ids.next();
            assertTrue(id > previous, "id " + k + " not increasing");
            previous = id;
        }
        // the timestamp part stays close to the clock: at 4,096 ids per millisecond, 10,000 ids span ms, ms+1, ms+2
        long ms = (previous >>> 22) + Snowflakes.DISCORD_EPOCH_MS;
        assertEquals(clock.millis() + 2, ms);
    }
}
