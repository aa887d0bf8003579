package dev.easel.sd.clip;

import dev.easel.sd.weights.JsonConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE tokenizer, read from a transformers {@code tokenizer/} folder
 * ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json},
 * {@code special_tokens_map.json}), producing the ids a Stable Diffusion pipeline feeds its
 * text encoder: {@code <|startoftext|>}, at most {@code model_max_length - 2} tokens,
 * {@code <|endoftext|>}, then the pad token up to {@code model_max_length} (77).
 *
 * <p>Text goes through the reference tokenizer's steps: clean-up ({@link TextCleaner}: ftfy's
 * fixes, HTML references, whitespace, lower case), split into words with CLIP's pattern
 * {@code <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+},
 * then each word's UTF-8 bytes are mapped to printable symbols (GPT-2's byte ↔ unicode table),
 * the last one marked with {@code </w>}, and merged pairwise by rank from {@code merges.txt}
 * (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with Subword Units").
 *
 * <p>Instances are immutable apart from a bounded, thread-safe cache of word → ids, and may be
 * shared between threads.
 */
public final class CLIPTokenizer {
    /** CLIP's context length, used when the folder's config states none. */
    public static final int DEFAULT_MAX_LENGTH = 77;
    private static final String END_OF_WORD = BpeMerges.END_OF_WORD;
    private static final int CACHE_LIMIT = 50_000;
    private static final int MAX_VOCAB_ID = 1 << 24;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final BpeMerges merges;
    private final int maxLength;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** The result of encoding one prompt. */
    public record Encoding(
            /* [maxLength]: BOS, tokens, EOS, padding */ long[] inputIds,
            /* non-pad ids after truncation, BOS and EOS included */ int length,
            /* ids the prompt needs without truncation, BOS and EOS included */ int untruncatedLength,
            /* the text of the tokens that were cut off, "" if none */ String truncatedText) {

        public boolean truncated() {
            return untruncatedLength > length;
        }

        /** How many of the prompt's tokens did not fit (0 if none). */
        public int droppedTokens() {
            return untruncatedLength - length;
        }

        /** 1 for BOS..EOS, 0 for padding (what transformers returns as attention_mask). */
        public long[] attentionMask() {
            long[] mask = new long[inputIds.length];
            Arrays.fill(mask, 0, length, 1L);
            return mask;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Encoding e && Arrays.equals(inputIds, e.inputIds) && length == e.length
                    && untruncatedLength == e.untruncatedLength && truncatedText.equals(e.truncatedText);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(inputIds), length, untruncatedLength, truncatedText);
        }

        @Override
        public String toString() {
            return "Encoding[length=" + length + ", untruncatedLength=" + untruncatedLength
                    + ", inputIds=" + Arrays.toString(inputIds) + "]";
        }
    }

    private CLIPTokenizer(Map<String, Integer> encoder, BpeMerges merges, int maxLength,
                          String bosToken, String eosToken, String padToken, String source) {
        this.encoder = encoder;
        this.merges = merges;
        this.maxLength = maxLength;
        int maxId = -1;
        for (int id : encoder.values()) {
            maxId = Math.max(maxId, id);
        }
        if (maxId >= MAX_VOCAB_ID) {
            throw new IllegalArgumentException(source + ": vocab.json has id " + maxId
                    + "; ids must be below " + MAX_VOCAB_ID + " (CLIP's run 0..49407)");
        }
        this.decoder = new String[maxId + 1];
        encoder.forEach((token, id) -> decoder[id] = token);
        this.bosId = requireToken(bosToken, "bos_token", source);
        this.eosId = requireToken(eosToken, "eos_token", source);
        this.padId = requireToken(padToken, "pad_token", source);
        if (maxLength < 2) {
            throw new IllegalArgumentException(source + ": model_max_length " + maxLength
                    + " leaves no room for the start and end tokens (needs at least 2; CLIP uses 77)");
        }
    }

    private int requireToken(String token, String role, String source) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": " + role + " '" + token + "' is not in vocab.json");
        }
        return id;
    }

    /**
     * Reads a transformers CLIP tokenizer folder: {@code vocab.json} and {@code merges.txt} are
     * required; {@code tokenizer_config.json} and {@code special_tokens_map.json} are optional
     * and give the special tokens (default {@code <|startoftext|>}, {@code <|endoftext|>}, pad
     * {@code <|endoftext|>}; SD 2.x pads with {@code !}) and {@code model_max_length} (default 77).
     */
    public static CLIPTokenizer load(Path dir) throws IOException {
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        for (Path p : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException("tokenizer folder " + dir + " has no " + p.getFileName()
                        + " (a CLIP tokenizer needs vocab.json and merges.txt, as transformers saves them)");
            }
        }
        Map<String, Integer> encoder = VocabJson.read(vocabFile);
        if (encoder.isEmpty()) {
            throw new IOException(vocabFile + ": the vocabulary is empty");
        }
        BpeMerges merges = BpeMerges.read(mergesFile);

        JsonConfig config = optionalConfig(dir.resolve("tokenizer_config.json"));
        JsonConfig specials = optionalConfig(dir.resolve("special_tokens_map.json"));
        String bos = specialToken(specials, config, "bos_token", "<|startoftext|>");
        String eos = specialToken(specials, config, "eos_token", "<|endoftext|>");
        String pad = specialToken(specials, config, "pad_token", "<|endoftext|>");
        int maxLength = DEFAULT_MAX_LENGTH;
        if (config.has("model_max_length")) {
            double m = config.getDouble("model_max_length", DEFAULT_MAX_LENGTH);
            // transformers writes a huge number (1e30) for "no limit": CLIP's context is then the limit.
            if (m < 1e6) {
                if (m != Math.rint(m)) {
                    throw new IllegalArgumentException(config.source() + ": model_max_length " + m + " is not an integer");
                }
                maxLength = (int) m;
            }
        }
        return new CLIPTokenizer(encoder, merges, maxLength, bos, eos, pad, dir.toString());
    }

    private static JsonConfig optionalConfig(Path file) throws IOException {
        return Files.isRegularFile(file) ? JsonConfig.read(file) : new JsonConfig(file.toString(), Map.of());
    }

    /** A special token, written as a string or as {"content": ...}; special_tokens_map.json wins. */
    private static String specialToken(JsonConfig first, JsonConfig second, String key, String def) {
        for (JsonConfig c : List.of(first, second)) {
            Object v = c.raw(key);
            if (v instanceof String s) {
                return s;
            }
            if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) {
                return s;
            }
            if (v != null) {
                throw new IllegalArgumentException(c.source() + ": '" + key
                        + "' should be a string or an object with \"content\", found " + v);
            }
        }
        return def;
    }

    public int maxLength() {
        return maxLength;
    }

    public int bosTokenId() {
        return bosId;
    }

    public int eosTokenId() {
        return eosId;
    }

    public int padTokenId() {
        return padId;
    }

    public int vocabSize() {
        return encoder.size();
    }

    /** Ids for the text encoder: BOS, up to maxLength-2 tokens, EOS, padding; length maxLength. */
    public long[] encode(String prompt) {
        return encodeDetailed(prompt).inputIds();
    }

    /** {@link #encode} for several prompts: [prompts.size()][maxLength]. */
    public long[][] encode(List<String> prompts) {
        long[][] out = new long[prompts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(prompts.get(i));
        }
        return out;
    }

    /** Ids plus how long the prompt was and what truncation cut off. */
    public Encoding encodeDetailed(String prompt) {
        int[] tokens = tokenIds(prompt);
        int room = maxLength - 2;
        int kept = Math.min(tokens.length, room);
        long[] ids = new long[maxLength];
        ids[0] = bosId;
        for (int i = 0; i < kept; i++) {
            ids[i + 1] = tokens[i];
        }
        ids[kept + 1] = eosId;
        Arrays.fill(ids, kept + 2, maxLength, padId);
        String dropped = kept < tokens.length ? decode(Arrays.copyOfRange(tokens, kept, tokens.length)) : "";
        return new Encoding(ids, kept + 2, tokens.length + 2, dropped);
    }

    /** The token ids of a prompt without BOS/EOS, truncation or padding. */
    public int[] tokenIds(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        String text = TextCleaner.clean(prompt);
        int[] buf = new int[Math.max(16, text.length() + 8)];
        int n = 0;
        for (String word : preTokenize(text)) {
            int[] ids = wordIds(word);
            if (n + ids.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + ids.length));
            }
            System.arraycopy(ids, 0, buf, n, ids.length);
            n += ids.length;
        }
        return Arrays.copyOf(buf, n);
    }

    /** The BPE token strings of a prompt (e.g. "photo&lt;/w&gt;"), without BOS/EOS. */
    public List<String> tokenize(String prompt) {
        int[] ids = tokenIds(prompt);
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(decoder[id]);
        }
        return out;
    }

    /** Text of the given ids: end-of-word marks become spaces; special tokens are kept as written. */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length || decoder[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (0.." + (decoder.length - 1) + ")");
            }
            String token = decoder[id];
            if (id == bosId || id == eosId) {
                flushBytes(bytes, text);
                text.append(token);
                continue;
            }
            boolean endOfWord = token.endsWith(END_OF_WORD);
            String symbols = endOfWord ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
            for (int i = 0; i < symbols.length(); i++) {
                int b = ByteSymbols.byteOf(symbols.charAt(i));
                if (b < 0) { // an added token that is not made of byte symbols
                    flushBytes(bytes, text);
                    text.append(symbols.charAt(i));
                } else {
                    bytes.write(b);
                }
            }
            if (endOfWord) {
                flushBytes(bytes, text);
                text.append(' ');
            }
        }
        flushBytes(bytes, text);
        return text.toString().strip();
    }

    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder text) {
        if (bytes.size() > 0) {
            text.append(bytes.toString(StandardCharsets.UTF_8)); // malformed UTF-8 → U+FFFD
            bytes.reset();
        }
    }

    /**
     * Splits cleaned, lower-cased text as CLIP's pattern does, alternatives tried in order at
     * each position: the two special tokens; the contractions 's 't 're 've 'm 'll 'd; a run of
     * letters; one number character; a run of anything that is neither space, letter nor number.
     * Spaces separate and are dropped (so is U+0345, see {@link #YPOGEGRAMMENI}).
     */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            if (cp == ' ' || TextCleaner.isPythonSpace(cp) || cp == YPOGEGRAMMENI) {
                i += Character.charCount(cp);
                continue;
            }
            int end;
            if (cp == '<' && (text.startsWith("<|startoftext|>", i) || text.startsWith("<|endoftext|>", i))) {
                end = text.indexOf('>', i) + 1;
            } else if (cp == '\'' && (end = contractionEnd(text, i)) > 0) {
                // end set by contractionEnd
            } else if (isLetter(cp)) {
                end = i + Character.charCount(cp);
                while (end < n && isLetter(text.codePointAt(end))) {
                    end += Character.charCount(text.codePointAt(end));
                }
            } else if (isNumber(cp)) {
                end = i + Character.charCount(cp);
            } else {
                end = i + Character.charCount(cp);
                while (end < n) {
                    int c = text.codePointAt(end);
                    if (TextCleaner.isPythonSpace(c) || isLetter(c) || isNumber(c) || c == YPOGEGRAMMENI) {
                        break;
                    }
                    end += Character.charCount(c);
                }
            }
            words.add(text.substring(i, end));
            i = end;
        }
        return words;
    }

    /**
     * U+0345 COMBINING GREEK YPOGEGRAMMENI case-folds to ι, so under the reference pattern's
     * case-insensitive matching it belongs to no alternative: it separates words and is dropped.
     */
    private static final int YPOGEGRAMMENI = 0x0345;

    private static final String[] CONTRACTIONS = {"s", "t", "re", "ve", "m", "ll", "d"};

    /** End index of a contraction starting with the apostrophe at i, or -1. */
    private static int contractionEnd(String text, int i) {
        for (String c : CONTRACTIONS) {
            if (text.regionMatches(true, i + 1, c, 0, c.length())) {
                return i + 1 + c.length();
            }
        }
        return -1;
    }

    /** \p{L}: Lu, Ll, Lt, Lm, Lo. */
    static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    /** \p{N}: Nd, Nl, No. */
    static boolean isNumber(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** The ids of one pre-tokenized word (cached). */
    private int[] wordIds(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] ids;
        Integer special = isSpecialLiteral(word) ? encoder.get(word) : null;
        if (special != null) {
            ids = new int[] {special};
        } else {
            ids = bpe(word);
        }
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // bounded: prompts from many users must not grow it forever
        }
        cache.put(word, ids);
        return ids;
    }

    /** The pre-tokenizer keeps CLIP's two special tokens whole; they map to their own ids. */
    private static boolean isSpecialLiteral(String word) {
        return word.equals("<|startoftext|>") || word.equals("<|endoftext|>");
    }

    /** Byte-pair encoding of one word, mapped to vocabulary ids. */
    private int[] bpe(String word) {
        String[] symbols = merges.encode(word.getBytes(StandardCharsets.UTF_8));
        int[] ids = new int[symbols.length];
        for (int i = 0; i < ids.length; i++) {
            Integer id = encoder.get(symbols[i]);
            // Every byte symbol and merge result is in CLIP's vocabulary; a reduced vocabulary
            // falls back to the unknown token, which CLIP defines as <|endoftext|>.
            ids[i] = id != null ? id : eosId;
        }
        return ids;
    }

    /**
     * GPT-2's reversible map between bytes and printable characters: bytes that are printable
     * Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 bytes take the
     * characters U+0100, U+0101, … in byte order.
     */
    static final class ByteSymbols {
        private static final char[] SYMBOL = new char[256];
        private static final int[] BYTE = new int[512];

        static {
            Arrays.fill(BYTE, -1);
            int next = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                char c = printable ? (char) b : (char) (256 + next++);
                SYMBOL[b] = c;
                BYTE[c] = b;
            }
        }

        private ByteSymbols() {
        }

        static char symbolOf(int b) {
            return SYMBOL[b];
        }

        /** The byte a symbol stands for, or -1 if the character is not a byte symbol. */
        static int byteOf(char c) {
            return c < BYTE.length ? BYTE[c] : -1;
        }
    }
}
