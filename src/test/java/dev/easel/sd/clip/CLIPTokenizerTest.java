package dev.easel.sd.clip;

import ai.djl.util.JsonUtils;
import dev.easel.sd.weights.SafetensorsFile;
import dev.easel.testing.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CLIPTokenizerTest {
    private static final int SEQ = 77;
    private static CLIPTokenizer tokenizer;
    private static List<Map<String, Object>> prompts;
    private static long[] goldenIds;
    private static long[] goldenMask;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        tokenizer = CLIPTokenizer.load(Golden.path("pipeline/tokenizer"));
        prompts = JsonUtils.GSON.fromJson(Files.readString(Golden.path("tokenizer/prompts.json")), List.class);
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("tokenizer/tokens.safetensors"))) {
            goldenIds = f.readLongs("input_ids");
            goldenMask = f.readLongs("attention_mask");
        }
    }

    private static String prompt(int i) {
        return (String) prompts.get(i).get("prompt");
    }

    private static long[] goldenRow(long[] all, int i) {
        return Arrays.copyOfRange(all, i * SEQ, (i + 1) * SEQ);
    }

    @Test
    void everyGoldenPromptEncodesToTheReferenceIds() {
        // given the 31 reference prompts (CJK, emoji, accents, HTML entities, ligatures, curly
        // quotes, control characters, a truncated one) and the ids transformers produced
        assertEquals(31, prompts.size());
        List<Integer> mismatching = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            // when
            long[] ids = tokenizer.encode(prompt(i));
            // then every row equals the reference exactly
            if (!Arrays.equals(goldenRow(goldenIds, i), ids)) {
                mismatching.add(i);
                System.out.println("row " + i + " " + prompt(i) + "\n  want " + Arrays.toString(goldenRow(goldenIds, i))
                        + "\n  got  " + Arrays.toString(ids));
            }
        }
        assertEquals(List.of(), mismatching, "rows whose ids differ from the reference");
    }

    @Test
    @SuppressWarnings("unchecked")
    void tokenStringsLengthsAndMaskMatchTheReference() {
        for (int i = 0; i < prompts.size(); i++) {
            Map<String, Object> p = prompts.get(i);
            CLIPTokenizer.Encoding e = tokenizer.encodeDetailed(prompt(i));
            List<String> want = new ArrayList<>((List<String>) p.get("tokens"));
            List<String> got = new ArrayList<>(tokenizer.tokenize(prompt(i)));
            got.add(0, "<|startoftext|>");
            got.add("<|endoftext|>");
            if (!(Boolean) p.get("truncated")) {
                assertEquals(want, got, "tokens of prompt " + i);
            }
            assertEquals(((Number) p.get("untruncated_length")).intValue(), e.untruncatedLength(), "untruncated length of " + i);
            assertEquals(((Number) p.get("length")).intValue(), e.length(), "length of " + i);
            assertEquals(p.get("truncated"), e.truncated(), "truncated flag of " + i);
            assertArrayEquals(goldenRow(goldenMask, i), e.attentionMask(), "attention mask of " + i);
        }
    }

    @Test
    void aLongPromptIsCutAfter75TokensKeepsEosAndReportsWhatWasDropped() {
        // given prompt 26, 106 tokens long
        String longPrompt = prompt(26);
        // when
        CLIPTokenizer.Encoding e = tokenizer.encodeDetailed(longPrompt);
        // then 77 ids, BOS first, EOS last, no padding, and the dropped tail reported
        assertEquals(77, e.inputIds().length);
        assertEquals(49406, e.inputIds()[0]);
        assertEquals(49407, e.inputIds()[76]);
        assertTrue(e.truncated());
        assertEquals(77, e.length());
        assertEquals(108, e.untruncatedLength());
        assertEquals(31, e.droppedTokens());
        int[] all = tokenizer.tokenIds(longPrompt);
        assertEquals(106, all.length);
        assertEquals(tokenizer.decode(Arrays.copyOfRange(all, 75, all.length)), e.truncatedText());
        String cleaned = TextCleaner.clean(longPrompt);
        assertTrue(cleaned.replace(" ", "").endsWith(e.truncatedText().replace(" ", "")),
                "dropped text '" + e.truncatedText() + "' is the end of the prompt");
        assertFalse(e.truncatedText().isBlank());
    }

    @Test
    void shortPromptIsPaddedWithThePadTokenAndNotTruncated() {
        CLIPTokenizer.Encoding e = tokenizer.encodeDetailed("cat");
        long[] want = new long[SEQ];
        Arrays.fill(want, 49407);
        want[0] = 49406;
        want[1] = tokenizer.tokenIds("cat")[0];
        assertArrayEquals(want, e.inputIds());
        assertEquals(3, e.length());
        assertFalse(e.truncated());
        assertEquals("", e.truncatedText());
        assertEquals("cat", tokenizer.decode(new int[] {(int) want[1]}));
    }

    @Test
    void decodeRestoresTextIncludingMultiByteCharacters() {
        // word ends become spaces, so a contraction comes back as its own word (as in the reference)
        String text = "東京の夜景 café 🐱 don't";
        assertEquals("東京の夜景 café 🐱 don 't", tokenizer.decode(tokenizer.tokenIds(text)));
    }

    @Test
    void sd2StylePadTokenPadsWithExclamationMarkId0(@TempDir Path dir) throws IOException {
        // given the same vocabulary with SD 2.x's tokenizer settings: pad_token "!" (id 0)
        Path src = Golden.path("pipeline/tokenizer");
        Files.copy(src.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(src.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("special_tokens_map.json"), """
                {"bos_token": {"content": "<|startoftext|>"}, "eos_token": {"content": "<|endoftext|>"},
                 "pad_token": "!", "unk_token": {"content": "<|endoftext|>"}}""");
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"model_max_length": 77, "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer"}""");
        // when
        CLIPTokenizer sd2 = CLIPTokenizer.load(dir);
        long[] ids = sd2.encode(prompt(0));
        // then special_tokens_map.json's pad token wins, and padding is id 0 after the EOS
        assertEquals(0, sd2.padTokenId());
        long[] want = goldenRow(goldenIds, 0).clone();
        Arrays.fill(want, 12, SEQ, 0L);
        assertArrayEquals(want, ids);
        assertEquals(49407, ids[11]);
    }

    @Test
    void modelMaxLengthFromConfigSetsTheSequenceLength(@TempDir Path dir) throws IOException {
        Path src = Golden.path("pipeline/tokenizer");
        Files.copy(src.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(src.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 8}");
        CLIPTokenizer t = CLIPTokenizer.load(dir);
        CLIPTokenizer.Encoding e = t.encodeDetailed(prompt(0)); // 10 tokens, room for 6
        assertEquals(8, e.inputIds().length);
        assertArrayEquals(Arrays.copyOf(goldenRow(goldenIds, 0), 7), Arrays.copyOf(e.inputIds(), 7));
        assertEquals(49407, e.inputIds()[7]);
        assertEquals(12, e.untruncatedLength());
        assertEquals("a horse on mars", e.truncatedText());
    }

    @Test
    void missingVocabularyIsReportedByName(@TempDir Path dir) throws IOException {
        Files.copy(Golden.path("pipeline/tokenizer/merges.txt"), dir.resolve("merges.txt"));
        IOException e = assertThrows(IOException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void padTokenNotInVocabularyIsRejected(@TempDir Path dir) throws IOException {
        Path src = Golden.path("pipeline/tokenizer");
        Files.copy(src.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(src.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<pad>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("pad_token '<pad>' is not in vocab.json"), e.getMessage());
    }

    @Test
    void vocabularyEscapesAreReadAndMalformedFilesAreReportedWithPosition(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, "{\"caf\\u00e9</w>\": 7, \"\\\"\": 3,\n \"a\\\\b\": 12}");
        assertEquals(Map.of("caf\u00e9</w>", 7, "\"", 3, "a\\b", 12), VocabJson.read(ok));

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"a\": 1, \"b\": -2}");
        IOException e = assertThrows(IOException.class, () -> VocabJson.read(bad));
        assertTrue(e.getMessage().contains("at character 14") && e.getMessage().contains("\"b\" should have a non-negative integer id"),
                e.getMessage());

        Path merges = dir.resolve("merges.txt");
        Files.writeString(merges, "#version: 0.2\na b\nab\n");
        IOException m = assertThrows(IOException.class, () -> BpeMerges.read(merges));
        assertTrue(m.getMessage().endsWith("merges.txt:3: expected a merge rule \"left right\", found \"ab\""), m.getMessage());
    }

    @Test
    void loadingTheFullVocabularyIsFastAndEncodingUsesTheCache() throws IOException {
        long t0 = System.nanoTime();
        CLIPTokenizer t = CLIPTokenizer.load(Golden.path("pipeline/tokenizer"));
        double loadMs = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            t.encode(prompt(i % prompts.size()));
        }
        double encodeUs = (System.nanoTime() - t1) / 1e3 / 200;
        System.out.printf("tokenizer load %.0f ms (%d merges), encode %.1f µs per prompt%n", loadMs, 48894, encodeUs);
        assertTrue(loadMs < 3000, "loading took " + loadMs + " ms");
        assertEquals(49408, t.vocabSize());
    }
}
