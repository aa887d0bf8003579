package dev.easel.sd.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge table of a byte-level BPE ({@code merges.txt}: "left right" per line, best first)
 * and the merge algorithm over it. Every symbol gets a number once, so merging compares ints
 * and finds a pair's rank by a 64-bit key instead of building strings.
 */
final class BpeMerges {
    static final String END_OF_WORD = "</w>";

    private final String[] symbols;
    /** (left id << 32 | right id) → rank, the rule's line index. */
    private final Map<Long, Integer> rankOfPair;
    private final int[] leftOf;
    private final int[] rightOf;
    private final int[] mergedOf;
    /** Symbol id of each byte's printable stand-in, without and with the end-of-word mark. */
    private final int[] byteSymbol;
    private final int[] finalByteSymbol;

    private BpeMerges(String[] symbols, Map<Long, Integer> rankOfPair, int[] leftOf, int[] rightOf, int[] mergedOf,
                      int[] byteSymbol, int[] finalByteSymbol) {
        this.symbols = symbols;
        this.rankOfPair = rankOfPair;
        this.leftOf = leftOf;
        this.rightOf = rightOf;
        this.mergedOf = mergedOf;
        this.byteSymbol = byteSymbol;
        this.finalByteSymbol = finalByteSymbol;
    }

    /** Numbers symbols in order of first appearance. */
    private static final class SymbolTable {
        final Map<String, Integer> ids = new HashMap<>(1 << 17);
        final List<String> names = new ArrayList<>(1 << 16);

        int id(String s) {
            Integer id = ids.get(s);
            if (id == null) {
                id = names.size();
                names.add(s);
                ids.put(s, id);
            }
            return id;
        }
    }

    static BpeMerges read(Path file) throws IOException {
        SymbolTable table = new SymbolTable();
        Map<Long, Integer> ranks = new HashMap<>(1 << 17);
        int[] left = new int[1 << 16];
        int[] right = new int[1 << 16];
        int[] merged = new int[1 << 16];
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if ((lineNo == 1 && line.startsWith("#version")) || line.isEmpty()) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                    throw new IOException(file + ":" + lineNo + ": expected a merge rule \"left right\", found \"" + line + "\"");
                }
                String a = line.substring(0, space);
                String b = line.substring(space + 1);
                int ia = table.id(a);
                int ib = table.id(b);
                long key = pairKey(ia, ib);
                if (ranks.containsKey(key)) {
                    continue; // a repeated rule keeps its first (best) rank
                }
                int rank = ranks.size();
                if (rank == left.length) {
                    left = Arrays.copyOf(left, rank * 2);
                    right = Arrays.copyOf(right, rank * 2);
                    merged = Arrays.copyOf(merged, rank * 2);
                }
                ranks.put(key, rank);
                left[rank] = ia;
                right[rank] = ib;
                merged[rank] = table.id(a + b);
            }
        }
        int[] byteSymbol = new int[256];
        int[] finalByteSymbol = new int[256];
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(CLIPTokenizer.ByteSymbols.symbolOf(b));
            byteSymbol[b] = table.id(s);
            finalByteSymbol[b] = table.id(s + END_OF_WORD);
        }
        int n = ranks.size();
        return new BpeMerges(table.names.toArray(new String[0]), ranks, Arrays.copyOf(left, n),
                Arrays.copyOf(right, n), Arrays.copyOf(merged, n), byteSymbol, finalByteSymbol);
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Number of merge rules. */
    int size() {
        return leftOf.length;
    }

    /**
     * Byte-pair encoding of one word (Sennrich et al. 2016): start from its byte symbols, the
     * last one marked end-of-word; repeatedly take the adjacent pair with the best rank and
     * merge every occurrence of it, left to right, until no adjacent pair has a rule.
     *
     * @return the resulting symbols as strings, e.g. ["photo&lt;/w&gt;"]
     */
    String[] encode(byte[] utf8) {
        int n = utf8.length;
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) {
            sym[i] = i == n - 1 ? finalByteSymbol[utf8[i] & 0xFF] : byteSymbol[utf8[i] & 0xFF];
        }
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer rank = rankOfPair.get(pairKey(sym[i], sym[i + 1]));
                if (rank != null && rank < best) {
                    best = rank;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int a = leftOf[best];
            int b = rightOf[best];
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && sym[i] == a && sym[i + 1] == b) {
                    sym[w++] = mergedOf[best];
                    i += 2;
                } else {
                    sym[w++] = sym[i++];
                }
            }
            n = w;
        }
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = symbols[sym[i]];
        }
        return out;
    }
}
