package dev.easel.adapter.discord;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BannedWordsTest {
    @Test
    void wordsAreNormalizedOrRefused() {
        assertEquals(Optional.of("blood moon"), BannedWords.normalize("  Blood \t Moon "));
        assertEquals(Optional.empty(), BannedWords.normalize("   "));
        assertEquals(Optional.empty(), BannedWords.normalize("!!!"));
        assertEquals(Optional.empty(), BannedWords.normalize("x".repeat(101)));
    }

    @Test
    void matchesAreWholeWordsAndPhrasesInAnyCase() {
        List<String> words = List.of("gore", "blood moon", "café");
        assertEquals(Optional.of("gore"), BannedWords.firstMatch("GORE, everywhere", words));
        assertEquals(Optional.of("blood moon"), BannedWords.firstMatch("a Blood   Moon rising", words));
        assertEquals(Optional.of("café"), BannedWords.firstMatch("le CAFÉ--ar 1:1", words));
        assertEquals(Optional.empty(), BannedWords.firstMatch("gorey Algore goreblood", words));
        assertEquals(Optional.empty(), BannedWords.firstMatch("blood, moon", words));
    }

    @Test
    void inMemoryStoreAddsOnceRemovesAndListsSorted() {
        InMemoryBannedWords store = new InMemoryBannedWords();
        assertTrue(store.add("g", "zebra", "u", Instant.EPOCH));
        assertTrue(store.add("g", "apple", "u", Instant.EPOCH));
        assertFalse(store.add("g", "apple", "u", Instant.EPOCH));
        assertEquals(List.of("apple", "zebra"), store.list("g"));
        assertEquals(List.of(), store.list("other"));
        assertTrue(store.remove("g", "apple"));
        assertFalse(store.remove("g", "apple"));
        assertEquals(List.of("zebra"), store.list("g"));
    }
}
