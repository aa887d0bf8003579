package dev.easel.adapter.discord;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscordSettingsTest {
    static DiscordSettings read(String yaml, Map<String, String> env) throws Exception {
        return DiscordSettings.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml).get("bot"), env);
    }

    @Test
    void defaultsAreDiscordItselfAndTheTokenComesFromTheEnvironment() throws Exception {
        DiscordSettings s = read("other: 1", Map.of("DISCORD_TOKEN", "secret.token"));
        assertEquals("secret.token", s.token());
        assertEquals("https://discord.com/api/v10/", s.restBaseUrl());
        assertNull(s.gatewayUrl());
        assertTrue(s.gatewayCompression());
        assertEquals(Duration.ofSeconds(3), s.progressInterval());
        assertEquals(1, s.workers());
        assertFalse(s.toString().contains("secret.token"), s.toString());
    }

    @Test
    void fileAndEnvironmentPointTheBotAtAStandIn() throws Exception {
        DiscordSettings s = read("""
                bot:
                  rest-url: http://127.0.0.1:1/api/v10
                  command-guilds: ["123"]
                  progress-interval-ms: 500
                  workers: 0
                """, Map.of("DISCORD_TOKEN", "t", "EASEL_BOT_GATEWAY_URL", "ws://127.0.0.1:1/gateway",
                "EASEL_BOT_GATEWAY_COMPRESSION", "none"));
        assertEquals("http://127.0.0.1:1/api/v10/", s.restBaseUrl(), "a trailing slash is added");
        assertEquals("ws://127.0.0.1:1/gateway", s.gatewayUrl());
        assertFalse(s.gatewayCompression());
        assertEquals(List.of("123"), s.commandGuilds());
        assertEquals(Duration.ofMillis(500), s.progressInterval());
        assertEquals(0, s.workers());
    }

    @Test
    void mistakesAreExplained() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("bot: {}", Map.of())).getMessage()
                .startsWith("no bot token: set the environment variable DISCORD_TOKEN"));
        assertEquals("unknown key bot.token; known: command-guilds, delivery-interval-ms, gateway-compression, "
                        + "gateway-url, progress-interval-ms, rest-url, threads, workers",
                assertThrows(IllegalArgumentException.class, () -> read("bot: {token: x}", Map.of("DISCORD_TOKEN", "t")))
                        .getMessage());
        assertEquals("bot.gateway-url must be a ws:// or wss:// URL; got http://x",
                assertThrows(IllegalArgumentException.class, () -> read("bot: {gateway-url: 'http://x'}",
                        Map.of("DISCORD_TOKEN", "t"))).getMessage());
        assertEquals("bot.command-guilds must list guild ids (numbers); got 'main'",
                assertThrows(IllegalArgumentException.class, () -> read("bot: {command-guilds: [main]}",
                        Map.of("DISCORD_TOKEN", "t"))).getMessage());
    }
}
