package dev.easel.adapter.discord;

import dev.easel.domain.job.Job;
import dev.easel.testing.JobKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bot's JDBC stores on the embedded database with the real migrations (V3 and V3_1). */
class JdbcBotStoresTest {
    @TempDir
    Path dir;
    JobKit kit;

    @BeforeEach
    void open() {
        kit = JobKit.h2(dir, 1, 10);
    }

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    void deliveriesRoundTripAndOnlyDuePendingOnesOfFinishedJobsAreListed() {
        Job a = kit.submitted("alice", "one --size 64x64 --steps 2");
        Job b = kit.submitted("bob", "two --size 64x64 --steps 2");
        var worker = kit.worker("w1", new dev.easel.application.FakeImageGenerator());
        while (worker.runOnce()) {
            // the worker may merge both jobs into one batch
        }
        assertEquals(dev.easel.domain.job.JobStatus.DONE, kit.reload(b.id()).status());
        Job running = kit.submitted("carol", "three --size 64x64");
        JdbcDeliveryStore store = new JdbcDeliveryStore(kit.tx);
        Instant t0 = Instant.parse("2025-03-01T12:00:00Z");
        Delivery da = Delivery.pending(a.id(), "tok-a", t0, "alice", "g1", "c1", false, 8_000_000);
        Delivery db = Delivery.pending(b.id(), "tok-b", t0.plusSeconds(1), "bob", null, "dm1", true, 10_485_760);
        store.save(da);
        store.save(db);
        store.save(Delivery.pending(running.id(), "tok-c", t0, "carol", "g1", "c1", false, 1));

        assertEquals(Optional.of(da), store.find(a.id()));
        assertEquals(Optional.of(db), store.find(b.id()));
        assertEquals(List.of(da, db), store.due(t0.plusSeconds(5), 10));

        // a failed attempt is due later; a delivered one never again, and its token is gone
        store.update(da.failedAttempt("Discord said 50013 Missing Permissions", t0.plusSeconds(60)));
        store.update(db.delivered("123456", Delivery.Via.DM));
        assertEquals(List.of(), store.due(t0.plusSeconds(5), 10));
        Delivery retried = store.due(t0.plusSeconds(61), 10).get(0);
        assertEquals(1, retried.attempts());
        assertEquals("Discord said 50013 Missing Permissions", retried.lastError());
        Delivery done = store.find(b.id()).orElseThrow();
        assertEquals(Delivery.State.DELIVERED, done.state());
        assertEquals(Delivery.Via.DM, done.via());
        assertEquals("123456", done.resultMessageId());
        assertNull(done.interactionToken());
        assertTrue(done.privateResult());
        assertNull(done.guildId());
    }

    @Test
    void tokensAreUsedOnlyWellWithinTheirFifteenMinutes() {
        Instant t0 = Instant.parse("2025-03-01T12:00:00Z");
        Delivery d = Delivery.pending(kit.submitted("c", "x --size 64x64").id(), "tok", t0, "c", "g", "ch", false, 1);
        assertTrue(d.tokenUsable(t0.plus(Duration.ofMinutes(14))));
        assertFalse(d.tokenUsable(t0.plus(Duration.ofMinutes(14)).plusSeconds(31)), "30 s margin");
        assertFalse(d.delivered(null, Delivery.Via.NONE).tokenUsable(t0), "no token after delivery");
        assertFalse(d.toString().contains("tok,"), "the token is not printed: " + d);
    }

    @Test
    void bannedWordsAndPreferencesPersist() {
        JdbcBannedWords words = new JdbcBannedWords(kit.tx);
        assertTrue(words.add("g1", "zebra", "admin", Instant.EPOCH));
        assertTrue(words.add("g1", "apple", "admin", Instant.EPOCH));
        assertFalse(words.add("g1", "apple", "admin", Instant.EPOCH));
        assertTrue(words.add("g2", "apple", "admin", Instant.EPOCH));
        assertEquals(List.of("apple", "zebra"), words.list("g1"));
        assertTrue(words.remove("g1", "apple"));
        assertFalse(words.remove("g1", "apple"));
        assertEquals(List.of("zebra"), words.list("g1"));
        assertEquals(List.of("apple"), words.list("g2"));

        JdbcPreferenceStore prefs = new JdbcPreferenceStore(kit.tx);
        assertEquals(Preferences.NONE, prefs.get("u1"));
        prefs.save("u1", new Preferences("3:2", null, 25), Instant.EPOCH);
        assertEquals(new Preferences("3:2", null, 25), prefs.get("u1"));
        prefs.save("u1", new Preferences(null, "ddim", null), Instant.EPOCH);
        assertEquals(new Preferences(null, "ddim", null), prefs.get("u1"));
    }
}
