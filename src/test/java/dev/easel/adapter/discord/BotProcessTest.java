package dev.easel.adapter.discord;

import dev.easel.Main;
import dev.easel.testing.discord.FakeDiscord;
import dev.easel.testing.discord.FakeInteraction;
import dev.easel.testing.discord.FakeMessage;
import dev.easel.testing.discord.FakeUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -cp … dev.easel.Main bot} as a child process, pointed at the stand-in Discord through the environment
 * (token, REST and gateway URLs) and at its database and settings through easel.yaml.
 */
class BotProcessTest {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;

    @Test
    void theBotCommandServesImagineAndButtonsAndStopsOnSigterm() throws Exception {
        Path config = dir.resolve("easel.yaml");
        Files.writeString(config, String.join("\n",
                "database:",
                "  url: \"jdbc:h2:file:" + dir.resolve("easel").toAbsolutePath().toString().replace('\\', '/')
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0\"",
                "storage:",
                "  images-dir: \"" + dir.resolve("images").toAbsolutePath().toString().replace('\\', '/') + "\"",
                "generation: {model: fake, native-size: 64, default-steps: 6}",
                "worker: {id: bot-child, poll-interval-ms: 50, heartbeat-ms: 500, lease-timeout-ms: 10000}",
                "bot: {progress-interval-ms: 300, delivery-interval-ms: 200, threads: 2}", ""));
        Path log = dir.resolve("bot.log");
        try (FakeDiscord discord = FakeDiscord.start()) {
            ProcessBuilder pb = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "bot", "--config", config.toString(), "--plans", "config/plans.yaml", "--fake-engine",
                    "--fake-step-ms", "20"))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(Map.of("DISCORD_TOKEN", discord.token(),
                    "EASEL_BOT_REST_URL", discord.restBaseUrl(),
                    "EASEL_BOT_GATEWAY_URL", discord.gatewayUrl(),
                    "EASEL_BOT_GATEWAY_COMPRESSION", "none"));
            pb.environment().remove("EASEL_DATABASE_URL");
            pb.environment().remove("EASEL_IMAGES_DIR");
            Process bot = pb.start();
            try {
                // given: the process connected and registered its commands
                discord.awaitCommand("imagine", START);
                discord.awaitCommand("plans", WAIT);
                FakeUser alice = discord.addUser("alice-process");

                // when: alice imagines, then upscales
                FakeInteraction i = discord.slashCommand("imagine").user(alice).option("prompt", "a paper boat").send();
                FakeMessage grid = BotHarness.result(i, WAIT);
                FakeMessage up = BotHarness.result(discord.pressButton(grid.id(),
                        "v1:up:" + BotHarness.jobOf(grid) + ":1", alice), WAIT);

                // then: both were served by the child process
                assertTrue(grid.content().startsWith("**a paper boat** — " + alice.mention()), grid.content());
                assertEquals("upscale.png", up.attachments().get(0).filename());
                discord.assertNoViolations();

                // when: SIGTERM
                bot.destroy();
                assertTrue(bot.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the bot stops on SIGTERM");
            } finally {
                if (bot.isAlive()) {
                    bot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            // then: it said why it stopped, and never printed the token
            String output = Files.readString(log);
            assertTrue(output.contains("stopping: finishing the current batch, then disconnecting"), output);
            assertTrue(output.contains("DiscordSettings[token=***"), output);
            assertFalse(output.contains(discord.token()), "the token must never be logged");
        }
    }

    @Test
    void withoutATokenTheBotExplainsWhereToGetOne() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = dev.easel.BotCommand.run(List.of("--config", dir.resolve("none.yaml").toString(), "--fake-engine"),
                null, Map.of(), System.out, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("easel bot: no bot token: set the "
                + "environment variable DISCORD_TOKEN"), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
