package dev.easel.adapter.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {
    static final String SOME_SECRET = "esl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    @TempDir
    Path dir;

    @Test
    void sha256IsTheStandardDigestOfTheKeyText() {
        // echo -n abc | sha256sum
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.sha256("abc"));
        String fresh = ApiKeys.newSecret();
        assertTrue(fresh.matches("esl_[A-Za-z0-9_-]{43}"), fresh);
        assertFalse(fresh.equals(ApiKeys.newSecret()));
    }

    @Test
    void createdKeysAuthenticateSurviveARestartAndAreStoredOnlyAsDigests() throws Exception {
        Path file = dir.resolve("keys.json");
        ApiKeys keys = new ApiKeys(List.of(), file, Clock.systemUTC());
        ApiKeys.Created created = keys.create("ci", Optional.of("basic"));
        assertEquals("api-ci", created.key().userId());
        assertEquals("ci", keys.authenticate(created.secret()).orElseThrow().name());
        assertTrue(keys.authenticate(SOME_SECRET).isEmpty());
        String stored = Files.readString(file);
        assertFalse(stored.contains(created.secret()), stored);
        assertTrue(stored.contains(ApiKeys.sha256(created.secret())), stored);

        ApiKeys reloaded = new ApiKeys(List.of(), file, Clock.systemUTC());
        assertEquals(Optional.of("basic"), reloaded.authenticate(created.secret()).orElseThrow().plan());
        assertTrue(reloaded.revoke("ci"));
        assertTrue(reloaded.authenticate(created.secret()).isEmpty());
        assertTrue(new ApiKeys(List.of(), file, Clock.systemUTC()).list().isEmpty());
    }

    @Test
    void configuredKeysWorkButCannotBeRevokedHereAndNamesAreChecked() {
        String secret = ApiKeys.newSecret();
        ApiKeys keys = new ApiKeys(List.of(new WebConfig.ConfiguredKey("ops", Optional.empty(), ApiKeys.sha256(secret))),
                dir.resolve("k.json"), Clock.systemUTC());
        assertTrue(keys.authenticate(secret).orElseThrow().fromConfig());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys.revoke("ops"));
        assertTrue(e.getMessage().contains("comes from easel.yaml"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> keys.create("ops", Optional.empty()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> keys.create("Bad Name", Optional.empty()));
        assertTrue(bad.getMessage().startsWith("name: must be 1-32 of a-z 0-9 _ -"), bad.getMessage());
        assertFalse(keys.revoke("nobody"));
    }
}
