/**
 * A stand-in Discord for end-to-end tests with the real JDA client, on 127.0.0.1, and a validator of REST requests
 * against Discord's OpenAPI description.
 *
 * <h2>What it covers</h2>
 * <ul>
 *   <li><b>Gateway</b> ({@link dev.easel.testing.discord.FakeDiscord#gatewayUrl()}, JSON text frames, no transport
 *       compression): HELLO, IDENTIFY (token checked, close 4004 otherwise), HEARTBEAT/ACK, READY with the fields
 *       JDA requires (including {@code private_channels}), GUILD_CREATE per guild with roles carrying the
 *       {@code colors} object, members and a text channel; sharding by {@code (guild_id >> 22) % shards};
 *       RESUME with replay of missed events; INTERACTION_CREATE (slash commands, buttons, autocomplete, in guilds,
 *       in the bot's DM and in DMs between users through a user-installed app) and ENTITLEMENT_CREATE/DELETE.</li>
 *   <li><b>REST</b> ({@link dev.easel.testing.discord.FakeDiscord#restBaseUrl()}): current user, gateway/bot,
 *       global and guild application commands, interaction callbacks (types 4–9, {@code with_response}),
 *       follow-ups and {@code @original}/message edits and deletes by webhook token, channel messages, DM
 *       channels, entitlements; JSON and multipart bodies ({@code files[n]} + {@code payload_json}); attachments
 *       served back at their {@code url}.</li>
 *   <li><b>Discord's rules that tests depend on</b>: the 3-second acknowledgement deadline (10062) and the
 *       15-minute token lifetime (401 / 50027), both on an injectable clock
 *       ({@link dev.easel.testing.discord.FakeClock}); a deferred reply's first follow-up fills the "thinking"
 *       message; double acknowledgement (40060); upload size limit (413 / 40005, reported as
 *       {@code attachment_size_limit}); duplicate {@code custom_id}s and empty messages (50035 / 50006); blocked
 *       DMs (50007); injected 429s with {@code Retry-After}, {@code X-RateLimit-*} and {@code Via} headers.</li>
 *   <li><b>Conformance</b>: every request is matched to an operation of Discord's OpenAPI 3.1 description and its
 *       path, query and body (or {@code payload_json}) are validated ({@link dev.easel.testing.discord.OpenApiValidator});
 *       a non-conforming body is answered 400 / 50035 as Discord would and recorded as a
 *       {@link dev.easel.testing.discord.Violation}, which {@code assertNoViolations()} reports with the path and
 *       the schema error. The stand-in's own answers are validated against the response schemas too.</li>
 * </ul>
 *
 * <h2>What it cannot prove</h2>
 * <ul>
 *   <li>Real gateway behaviour: Discord's timing, reconnect requests (op 7), invalid-session storms, zlib or ETF
 *       transport, presence and member chunking at scale, event ordering under load, sharding at 2,500 guilds.</li>
 *   <li>Real rate limits: buckets, limits and the global 50 requests/s are not modelled; only the 429s a test
 *       injects happen, and every other answer claims 4 requests left.</li>
 *   <li>Discord-side validation beyond the OpenAPI schema and the few rules listed above (e.g. permission checks
 *       in channels, content filters, component rules the schema does not express, limits that differ per
 *       boost tier or per bot). The description itself is a public preview with known gaps (documented in
 *       {@link dev.easel.testing.discord.OpenApiValidator}), and almost no schema forbids unknown fields, so a
 *       misspelt optional field passes.</li>
 *   <li>Client rendering: how a message, an ephemeral reply or a disabled button looks to a member.</li>
 * </ul>
 */
package dev.easel.testing.discord;
