package dev.easel.testing.discord;

import com.fasterxml.jackson.databind.JsonNode;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.Entitlement;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.events.entitlement.EntitlementCreateEvent;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.IntegrationType;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.requests.ErrorResponse;
import net.dv8tion.jda.api.requests.Route;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.data.DataObject;
import net.dv8tion.jda.internal.requests.RestActionImpl;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real JDA 6.5 client against {@link FakeDiscord}: login, command registration, interactions and their
 * responses, uploads, buttons, rate limits, token expiry and schema violations.
 */
class FakeDiscordJdaTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static SlashCommandData imagine() {
        return Commands.slash("imagine", "Generate four images from a prompt")
                .addOption(OptionType.STRING, "prompt", "What to draw", true)
                .addOptions(new OptionData(OptionType.STRING, "style", "Art style").setAutoComplete(true))
                .setContexts(InteractionContextType.GUILD, InteractionContextType.BOT_DM,
                        InteractionContextType.PRIVATE_CHANNEL)
                .setIntegrationTypes(IntegrationType.GUILD_INSTALL, IntegrationType.USER_INSTALL);
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 0x80);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static <T> T poll(BlockingQueue<T> queue) throws InterruptedException {
        T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(value, "JDA delivered no event within " + WAIT);
        return value;
    }

    @Test
    void slashCommandIsDeferredAnsweredWithUploadAndButtonsThenAButtonPressIsAcknowledged() throws Exception {
        byte[] grid = png(64, 48);
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        BlockingQueue<ButtonInteractionEvent> presses = new LinkedBlockingQueue<>();
        BlockingQueue<Message> botSaw = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.start(); JdaLogCapture jdaLog = JdaLogCapture.start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                    String prompt = e.getOption("prompt").getAsString();
                    e.deferReply().queue(hook -> hook.editOriginal("Queued, position 1").queue(queued ->
                            hook.sendMessage("**" + prompt + "**")
                                    .addFiles(FileUpload.fromData(grid, "grid.png"))
                                    .addComponents(
                                            ActionRow.of(Button.primary("v1:up:42:1", "U1"), Button.primary("v1:up:42:2", "U2"),
                                                    Button.primary("v1:up:42:3", "U3"), Button.primary("v1:up:42:4", "U4"),
                                                    Button.secondary("v1:rr:42", "\uD83D\uDD04")),
                                            ActionRow.of(Button.secondary("v1:va:42:1", "V1"), Button.secondary("v1:va:42:2", "V2"),
                                                    Button.secondary("v1:va:42:3", "V3"), Button.secondary("v1:va:42:4", "V4")))
                                    .queue(sent -> hook.editOriginal("Done (100%)").queue(botSaw::add))));
                }

                @Override
                public void onButtonInteraction(ButtonInteractionEvent e) {
                    presses.add(e);
                    if (e.getComponentId().startsWith("v1:up:")) {
                        e.deferEdit().queue(hook -> hook.editOriginal("Upscaling image 1 …").queue(botSaw::add));
                    } else {
                        // answer in the callback itself (type 7) and drop the buttons
                        e.editMessage("Re-rolling …").setComponents().queue(hook -> botSaw.add(e.getMessage()));
                    }
                }
            });
            // given: the bot registered /imagine
            jda.updateCommands().addCommands(imagine()).complete();
            RegisteredCommand registered = discord.awaitCommand("imagine", WAIT);
            assertEquals(0, registered.guildId());
            assertEquals("prompt", registered.json().path("options").get(0).path("name").asText());

            // when: alice runs /imagine
            FakeInteraction imagine = discord.slashCommand("imagine").option("prompt", "a lighthouse at dusk").send();

            // then: the payload carried what JDA needs, and the bot asked for no privileged intent (GUILDS only)
            JsonNode payload = imagine.payload();
            for (String field : List.of("id", "application_id", "type", "data", "token", "version", "channel",
                    "channel_id", "context", "authorizing_integration_owners", "member", "entitlements",
                    "attachment_size_limit", "app_permissions", "guild", "locale")) {
                assertTrue(payload.has(field), field);
            }
            assertEquals(1L, discord.gatewayIntents().orElseThrow());
            // and JDA saw the interaction with its option, member and channel
            SlashCommandInteractionEvent event = poll(commands);
            assertEquals("a lighthouse at dusk", event.getOption("prompt").getAsString());
            assertEquals(discord.defaultUser().id(), event.getUser().getIdLong());
            assertEquals(discord.guild().textChannelId(), event.getChannel().getIdLong());
            assertEquals(List.of("Member"), event.getMember().getRoles().stream().map(Role::getName).toList());
            // and it deferred, edited the "thinking" message, then posted the grid as a separate follow-up
            assertEquals(InteractionCallback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, imagine.awaitCallback(WAIT).type());
            assertEquals("Done (100%)", poll(botSaw).getContentRaw());
            FakeMessage original = imagine.awaitOriginal(m -> m.content().equals("Done (100%)"), WAIT);
            assertEquals(List.of("", "Queued, position 1", "Done (100%)"),
                    discord.messageHistory(original.id()).stream().map(FakeMessage::content).toList());
            assertTrue(discord.messageHistory(original.id()).get(0).isLoading());
            assertFalse(original.isLoading());

            FakeMessage posted = imagine.awaitFollowUp(m -> !m.attachments().isEmpty(), WAIT);
            assertEquals("**a lighthouse at dusk**", posted.content());
            FakeAttachment file = posted.attachments().get(0);
            assertEquals("grid.png", file.filename());
            assertEquals("image/png", file.contentType());
            assertEquals(64, file.width());
            assertEquals(48, file.height());
            assertArrayEquals(grid, file.bytes());
            assertEquals(List.of(5, 4), posted.buttonRows().stream().map(List::size).toList());
            assertEquals(List.of("v1:up:42:1", "v1:up:42:2", "v1:up:42:3", "v1:up:42:4", "v1:rr:42",
                    "v1:va:42:1", "v1:va:42:2", "v1:va:42:3", "v1:va:42:4"), posted.customIds());

            // the upload went out as multipart: files[0] first, then payload_json naming placeholder 0
            RestRequest upload = discord.requests().awaitRequest("POST", "/webhooks/{webhook_id}/{webhook_token}", WAIT);
            assertTrue(upload.isMultipart());
            assertEquals(List.of("files[0]", "payload_json"), upload.parts().stream().map(RestRequest.MultipartPart::name).toList());
            assertArrayEquals(grid, upload.file(0).orElseThrow().bytes());
            assertEquals("true", upload.queryParam("wait").orElseThrow());
            JsonNode placeholder = upload.json().path("attachments").get(0).path("id");
            assertTrue(placeholder.isInt() && placeholder.asInt() == 0, "JDA sends the placeholder as integer 0: " + placeholder);

            // when: alice presses U1
            FakeInteraction press = discord.pressButton(posted.id(), "v1:up:42:1", discord.defaultUser());

            // then: JDA delivered the press for that message, the bot acknowledged with deferEdit and edited it
            ButtonInteractionEvent pressed = poll(presses);
            assertEquals("v1:up:42:1", pressed.getComponentId());
            assertEquals(posted.id(), pressed.getMessageIdLong());
            assertEquals("**a lighthouse at dusk**", pressed.getMessage().getContentRaw());
            assertEquals(InteractionCallback.DEFERRED_UPDATE_MESSAGE, press.awaitCallback(WAIT).type());
            Message editedByBot = poll(botSaw);
            assertEquals(posted.id(), editedByBot.getIdLong());
            assertEquals(2, editedByBot.getComponents().size(), "JDA parsed both action rows of the answer");
            FakeMessage edited = discord.awaitMessage(m -> m.id() == posted.id() && m.content().equals("Upscaling image 1 …"), WAIT);
            assertEquals(List.of(5, 4), edited.buttonRows().stream().map(List::size).toList(), "edit without components keeps them");
            assertEquals(1, edited.attachments().size(), "edit without attachments keeps the file");

            // when: alice presses re-roll, which the bot answers with an UPDATE_MESSAGE callback
            FakeInteraction reroll = discord.pressButton(posted.id(), "v1:rr:42", discord.defaultUser());
            poll(presses);
            poll(botSaw);

            // then: the message lost its buttons in the same callback
            assertEquals(InteractionCallback.UPDATE_MESSAGE, reroll.awaitCallback(WAIT).type());
            FakeMessage rerolled = discord.message(posted.id()).orElseThrow();
            assertEquals("Re-rolling …", rerolled.content());
            assertEquals(List.of(), rerolled.buttonRows());
            IllegalArgumentException gone = assertThrows(IllegalArgumentException.class,
                    () -> discord.pressButton(posted.id(), "v1:up:42:2", discord.defaultUser()));
            assertTrue(gone.getMessage().contains("has no button with custom_id 'v1:up:42:2'"), gone.getMessage());

            discord.assertNoViolations();
            assertEquals(List.of(), jdaLog.problems());
        }
    }

    @Test
    void rateLimitedRequestIsRetriedByJdaAfterRetryAfter() {
        try (FakeDiscord discord = FakeDiscord.start(); JdaLogCapture jdaLog = JdaLogCapture.start()) {
            JDA jda = discord.login();
            discord.rateLimitNext("POST", "/channels/{channel_id}/messages", 1);

            long start = System.nanoTime();
            Message sent = jda.getTextChannelById(discord.guild().textChannelId()).sendMessage("job 7 is done").complete();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            List<RestRequest> posts = discord.requests().matching("POST", "/channels/{channel_id}/messages");
            assertEquals(2, posts.size(), "one 429, one retry");
            assertEquals(429, discord.requests().statusOf(posts.get(0)).orElseThrow());
            assertEquals(200, discord.requests().statusOf(posts.get(1)).orElseThrow());
            assertTrue(elapsedMs >= 900, "JDA waited Retry-After (1 s) before retrying, took " + elapsedMs + " ms");
            assertEquals("job 7 is done", sent.getContentRaw());
            assertEquals(1, discord.messages().stream().filter(m -> m.content().equals("job 7 is done")).count());
            discord.assertNoViolations();
            assertEquals(List.of(), jdaLog.problems(), "a 429 with Via is a route limit, not a Cloudflare ban");
        }
    }

    @Test
    void expiredInteractionTokenIsSurfacedByJdaAsInvalidWebhookToken() throws Exception {
        FakeClock clock = FakeClock.startingNow();
        BlockingQueue<InteractionHook> hooks = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.builder().clock(clock).start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    e.deferReply().queue(hooks::add);
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();
            discord.slashCommand("imagine").option("prompt", "a slow render").send();
            InteractionHook hook = poll(hooks);

            // given: 14 minutes later the token still works
            clock.advance(Duration.ofMinutes(14));
            assertEquals("still rendering", hook.editOriginal("still rendering").complete().getContentRaw());

            // when: the 15 minutes are over
            clock.advance(Duration.ofMinutes(1).plusSeconds(1));
            ErrorResponseException e = assertThrows(ErrorResponseException.class,
                    () -> hook.editOriginal("finally done").complete());

            // then: Discord's 401 / 50027 reaches the caller
            assertEquals(ErrorResponse.INVALID_WEBHOOK_TOKEN, e.getErrorResponse());
            assertEquals(401, e.getResponse().code);
            discord.assertNoViolations();
        }
    }

    @Test
    void interactionNotAcknowledgedWithinThreeSecondsIsUnknown() throws Exception {
        FakeClock clock = FakeClock.startingNow();
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.builder().clock(clock).start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();
            FakeInteraction late = discord.slashCommand("imagine").option("prompt", "x").send();
            SlashCommandInteractionEvent event = poll(commands);

            clock.advance(Duration.ofSeconds(4));
            ErrorResponseException e = assertThrows(ErrorResponseException.class, () -> event.deferReply().complete());

            assertEquals(ErrorResponse.UNKNOWN_INTERACTION, e.getErrorResponse());
            assertTrue(late.callback().isEmpty());
            discord.assertNoViolations();
        }
    }

    @Test
    void invalidRequestBodyIsRejectedAndReportedWithPathAndSchemaError() {
        try (FakeDiscord discord = FakeDiscord.start()) {
            JDA jda = discord.login();
            long channel = discord.guild().textChannelId();
            // JDA's Button refuses a 101-character custom_id, so send the body raw through JDA's Route.
            String tooLong = "u".repeat(101);
            DataObject body = DataObject.fromJson("{\"content\":\"grid\",\"components\":[{\"type\":1,\"components\":"
                    + "[{\"type\":2,\"style\":1,\"label\":\"U1\",\"custom_id\":\"" + tooLong + "\"}]}]}");
            RestActionImpl<DataObject> raw = new RestActionImpl<>(jda, Route.Messages.SEND_MESSAGE.compile(Long.toString(channel)),
                    body, (response, request) -> response.getObject());

            ErrorResponseException e = assertThrows(ErrorResponseException.class, raw::complete);

            assertEquals(ErrorResponse.INVALID_FORM_BODY, e.getErrorResponse());
            assertEquals(400, e.getResponse().code);
            List<Violation> violations = discord.violations();
            assertEquals(1, violations.size(), violations.toString());
            Violation v = violations.get(0);
            assertEquals(Violation.Kind.REQUEST_BODY, v.kind());
            assertEquals("/channels/{channel_id}/messages", v.route());
            assertEquals("$.components[0].components[0].custom_id: must be at most 100 characters long", v.message());
            assertEquals("#/components/schemas/ButtonComponentForMessageRequest/properties/custom_id/maxLength",
                    v.schemaLocation());
            AssertionError loud = assertThrows(AssertionError.class, discord::assertNoViolations);
            assertTrue(loud.getMessage().contains("POST /channels/" + channel + "/messages"), loud.getMessage());
            assertTrue(loud.getMessage().contains("custom_id: must be at most 100 characters long"), loud.getMessage());
            assertTrue(discord.messages().isEmpty(), "Discord stores nothing from a rejected request");
            discord.takeViolations();
        }
    }

    @Test
    void uploadsAboveTheAttachmentSizeLimitAreRejectedWith413() throws Exception {
        BlockingQueue<InteractionHook> hooks = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.builder().attachmentSizeLimit(1024).start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    e.deferReply().queue(hooks::add);
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();
            FakeInteraction i = discord.slashCommand("imagine").option("prompt", "big").send();
            InteractionHook hook = poll(hooks);
            assertEquals(1024, i.payload().path("attachment_size_limit").asInt());

            ErrorResponseException e = assertThrows(ErrorResponseException.class,
                    () -> hook.sendFiles(FileUpload.fromData(new byte[1025], "big.png")).complete());
            Message fits = hook.sendFiles(FileUpload.fromData(new byte[1024], "fits.bin")).complete();

            assertEquals(ErrorResponse.REQUEST_ENTITY_TOO_LARGE, e.getErrorResponse());
            assertEquals(413, e.getResponse().code);
            assertEquals(1024, fits.getAttachments().get(0).getSize());
            discord.assertNoViolations();
        }
    }

    @Test
    void directMessageAndUserInstallInteractionsAndDmDelivery() throws Exception {
        byte[] preview = png(16, 16);
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.start(); JdaLogCapture jdaLog = JdaLogCapture.start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                    if (e.getContext() == InteractionContextType.BOT_DM) {
                        e.deferReply().queue(hook -> hook.sendMessage("dm result").queue());
                    } else {
                        e.reply("only you can see this").setEphemeral(true)
                                .addFiles(FileUpload.fromData(preview, "preview.png")).queue();
                    }
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();
            FakeUser alice = discord.defaultUser();

            // in the bot's DM: the first follow-up after a deferral fills the "thinking" message
            FakeInteraction inDm = discord.slashCommand("imagine").inBotDm().option("prompt", "a cat").send();
            SlashCommandInteractionEvent dm = poll(commands);
            assertEquals(ChannelType.PRIVATE, dm.getChannelType());
            assertNull(dm.getGuild());
            assertEquals(InteractionContextType.BOT_DM, dm.getContext());
            FakeMessage dmAnswer = inDm.awaitOriginal(m -> m.content().equals("dm result"), WAIT);
            assertTrue(inDm.followUps().isEmpty());
            assertEquals(discord.dmChannelId(alice).orElseThrow(), dmAnswer.channelId());

            // in a DM between users through the user-installed app: an ephemeral reply
            FakeInteraction userInstall = discord.slashCommand("imagine").inPrivateChannel().option("prompt", "a dog").send();
            SlashCommandInteractionEvent priv = poll(commands);
            assertEquals(InteractionContextType.PRIVATE_CHANNEL, priv.getContext());
            assertTrue(priv.getIntegrationOwners().isUserIntegration());
            assertEquals(alice.id(), priv.getIntegrationOwners().getAuthorizingUserIdLong());
            InteractionCallback reply = userInstall.awaitCallback(WAIT);
            assertEquals(InteractionCallback.CHANNEL_MESSAGE_WITH_SOURCE, reply.type());
            assertTrue(reply.isEphemeral());
            FakeMessage ephemeral = userInstall.original().orElseThrow();
            assertTrue(ephemeral.isEphemeral());
            assertArrayEquals(preview, ephemeral.attachments().get(0).bytes(), "a file uploaded with the callback itself");
            assertTrue(discord.requests().matching("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
                    .stream().anyMatch(RestRequest::isMultipart), "the callback went out as multipart");

            // delivery by DM: POST /users/@me/channels then a channel message
            Message delivered = jda.retrieveUserById(alice.id()).complete().openPrivateChannel()
                    .flatMap(c -> c.sendMessage("Your images are ready")).complete();
            assertEquals(dmAnswer.channelId(), delivered.getChannel().getIdLong());
            assertEquals("Your images are ready", discord.message(delivered.getIdLong()).orElseThrow().content());

            // a user who blocks DMs
            FakeUser bob = discord.addUser("bob");
            discord.blockDirectMessages(bob);
            ErrorResponseException blocked = assertThrows(ErrorResponseException.class, () -> jda.retrieveUserById(bob.id())
                    .complete().openPrivateChannel().flatMap(c -> c.sendMessage("hi")).complete());
            assertEquals(ErrorResponse.CANNOT_SEND_TO_USER, blocked.getErrorResponse());

            discord.assertNoViolations();
            assertEquals(List.of(), jdaLog.problems());
        }
    }

    @Test
    void autocompleteChoicesReachTheStandIn() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent e) {
                    String typed = e.getFocusedOption().getValue();
                    e.replyChoices(List.of("watercolor", "woodcut", "oil").stream().filter(s -> s.startsWith(typed))
                            .map(s -> new Command.Choice(s, s)).toList()).queue();
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();

            FakeInteraction typing = discord.autocomplete("imagine").option("prompt", "a fox").focused("style", "w").send();

            InteractionCallback callback = typing.awaitCallback(WAIT);
            assertEquals(InteractionCallback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, callback.type());
            assertEquals("[\"watercolor\",\"woodcut\"]",
                    callback.data().path("choices").findValuesAsText("value").stream()
                            .map(v -> "\"" + v + "\"").toList().toString().replace(", ", ","));
            discord.assertNoViolations();
        }
    }

    @Test
    void entitlementsAndMemberPermissionsReachJda() throws Exception {
        long sku = 1_300_000_000_000_000_001L;
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        BlockingQueue<EntitlementCreateEvent> granted = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                    e.reply("ok").setEphemeral(true).queue();
                }

                @Override
                public void onEntitlementCreate(EntitlementCreateEvent e) {
                    granted.add(e);
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();
            FakeGuild guild = discord.guild();

            discord.grantEntitlement(discord.owner(), sku, Duration.ofDays(30));
            assertEquals(sku, poll(granted).getEntitlement().getSkuIdLong());
            discord.sendSlashCommand(guild.id(), guild.textChannelId(), discord.owner(), MemberSpec.admin(guild), "imagine",
                    FakeDiscord.option("prompt", "a castle"));

            SlashCommandInteractionEvent e = poll(commands);
            assertEquals(List.of(sku), e.getEntitlements().stream().map(Entitlement::getSkuIdLong).toList());
            assertTrue(e.getMember().hasPermission(Permission.ADMINISTRATOR));
            assertEquals(List.of("Admin", "Member"), e.getMember().getRoles().stream().map(Role::getName).toList());
            List<Entitlement> listed = jda.retrieveEntitlements().complete();
            assertEquals(List.of(sku), listed.stream().map(Entitlement::getSkuIdLong).toList());
            discord.assertNoViolations();
        }
    }

    @Test
    @SuppressWarnings("try") // the outage is scoped by try-with-resources, not referenced
    void droppedGatewayConnectionIsResumedAndMissedInteractionsAreReplayed() throws Exception {
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.start(); JdaLogCapture jdaLog = JdaLogCapture.start()) {
            JDA jda = discord.login(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                    e.reply("ok").queue();
                }
            });
            jda.updateCommands().addCommands(imagine()).complete();

            // when: Discord drops the connection (4000, resumable) and an interaction arrives before it is back
            FakeInteraction i;
            try (FakeDiscord.Outage outage = discord.gatewayOutage(4000)) {
                i = discord.slashCommand("imagine").option("prompt", "during the outage").send();
                assertNull(commands.poll(300, TimeUnit.MILLISECONDS), "nothing arrives while disconnected");
            }

            // then: JDA resumes the same session and receives the interaction exactly once
            assertEquals("during the outage", poll(commands).getOption("prompt").getAsString());
            assertEquals(InteractionCallback.CHANNEL_MESSAGE_WITH_SOURCE, i.awaitCallback(WAIT).type());
            assertNull(commands.poll(200, TimeUnit.MILLISECONDS), "no duplicate delivery");
            List<String> sent = discord.gatewayLog().stream().filter(l -> l.startsWith("<- ")).toList();
            assertEquals(1, sent.stream().filter(l -> l.contains("\"op\":2")).count(), "one IDENTIFY");
            assertEquals(1, sent.stream().filter(l -> l.contains("\"op\":6")).count(), "one RESUME");
            assertTrue(discord.gatewayLog().stream().anyMatch(l -> l.contains("\"t\":\"RESUMED\"")));
            discord.assertNoViolations();
            assertEquals(List.of(), jdaLog.problems().stream()
                    .filter(p -> !p.contains("4000: closed by FakeDiscord")).toList());
        }
    }

    @Test
    void shardManagerConnectsOneSessionPerShardAndInteractionsArriveOnTheGuildsShard() throws Exception {
        BlockingQueue<SlashCommandInteractionEvent> commands = new LinkedBlockingQueue<>();
        try (FakeDiscord discord = FakeDiscord.builder().guild("Studio").guild("Gallery").recommendedShards(2).start()) {
            ShardManager shards = discord.loginSharded(new ListenerAdapter() {
                @Override
                public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
                    commands.add(e);
                    e.reply("ok").queue();
                }
            });
            shards.getShardById(0).updateCommands().addCommands(imagine()).complete();

            assertEquals(List.of(0, 1), discord.connectedShards());
            assertFalse(discord.requests().matching("GET", "/gateway/bot").isEmpty(), "JDA asked for the shard count");
            for (FakeGuild guild : discord.guilds()) {
                int expected = (int) ((guild.id() >>> 22) % 2);
                assertEquals(List.of(guild.id()), shards.getShardById(expected).getGuilds().stream()
                        .map(net.dv8tion.jda.api.entities.Guild::getIdLong).toList(), "guild on its shard");

                discord.slashCommand("imagine").inGuild(guild).option("prompt", guild.name()).send();

                SlashCommandInteractionEvent e = poll(commands);
                assertEquals(guild.id(), e.getGuild().getIdLong());
                assertEquals(expected, e.getJDA().getShardInfo().getShardId());
            }
            discord.assertNoViolations();
        }
    }

    @Test
    void aWrongTokenIsRefusedAtLogin() {
        try (FakeDiscord discord = FakeDiscord.start()) {
            JDABuilder builder = discord.configure(JDABuilder.createLight("not-the-token"));

            assertThrows(InvalidTokenException.class, builder::build);

            RestRequest me = discord.requests().awaitRequest("GET", "/users/@me", WAIT);
            assertEquals("Bot not-the-token", me.header("Authorization").orElseThrow());
            assertEquals(401, discord.requests().statusOf(me).orElseThrow());
            discord.assertNoViolations();
        }
    }

    @Test
    void discordSideRulesBeyondTheSchemaAreEnforced() {
        try (FakeDiscord discord = FakeDiscord.start()) {
            JDA jda = discord.login();
            Route.CompiledRoute send = Route.Messages.SEND_MESSAGE.compile(Long.toString(discord.guild().textChannelId()));
            String row = "{\"type\":1,\"components\":[{\"type\":2,\"style\":1,\"label\":\"A\",\"custom_id\":\"same\"},"
                    + "{\"type\":2,\"style\":1,\"label\":\"B\",\"custom_id\":\"same\"}]}";
            RestActionImpl<DataObject> duplicate = new RestActionImpl<>(jda, send,
                    DataObject.fromJson("{\"content\":\"x\",\"components\":[" + row + "]}"), (r, q) -> r.getObject());
            RestActionImpl<DataObject> empty = new RestActionImpl<>(jda, send, DataObject.fromJson("{}"),
                    (r, q) -> r.getObject());

            ErrorResponseException dup = assertThrows(ErrorResponseException.class, duplicate::complete);
            ErrorResponseException none = assertThrows(ErrorResponseException.class, empty::complete);

            assertEquals(ErrorResponse.INVALID_FORM_BODY, dup.getErrorResponse());
            assertEquals("components[0].components[1].custom_id", dup.getSchemaErrors().get(0).getLocation());
            assertEquals(ErrorResponse.EMPTY_MESSAGE, none.getErrorResponse());
            // both bodies conform to the OpenAPI schema: these are Discord's own rules, not violations
            discord.assertNoViolations();
            assertTrue(discord.messages().isEmpty());
        }
    }
}
