package dev.easel.sd.clip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tokenizer's {@code vocab.json}: one JSON object of token → id. A small dedicated
 * parser (strings with all JSON escapes, non-negative integer ids) keeps loading 49,408
 * entries fast; anything else is reported with its position.
 */
final class VocabJson {
    private final Path file;
    private final String s;
    private int pos;

    private VocabJson(Path file, String s) {
        this.file = file;
        this.s = s;
    }

    static Map<String, Integer> read(Path file) throws IOException {
        return new VocabJson(file, Files.readString(file)).parse();
    }

    private Map<String, Integer> parse() throws IOException {
        Map<String, Integer> out = new HashMap<>(1 << 17);
        skipSpace();
        expect('{');
        skipSpace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                skipSpace();
                String token = string();
                skipSpace();
                expect(':');
                skipSpace();
                int id = integer(token);
                if (out.put(token, id) != null) {
                    throw error("token \"" + token + "\" appears twice");
                }
                skipSpace();
                char c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw error("expected ',' or '}' after the id of \"" + token + "\", found '" + c + "'");
                }
            }
        }
        skipSpace();
        if (pos != s.length()) {
            throw error("unexpected text after the vocabulary object");
        }
        return out;
    }

    private String string() throws IOException {
        expect('"');
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape \\u" + s.substring(pos, pos + 4));
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private int integer(String token) throws IOException {
        int start = pos;
        long v = 0;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            v = v * 10 + (s.charAt(pos++) - '0');
            if (v > Integer.MAX_VALUE) {
                throw error("id of \"" + token + "\" is too large");
            }
        }
        if (pos == start) {
            throw error("token \"" + token + "\" should have a non-negative integer id");
        }
        if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            throw error("token \"" + token + "\" should have an integer id");
        }
        return (int) v;
    }

    private void skipSpace() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r' || s.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private char peek() throws IOException {
        if (pos >= s.length()) {
            throw error("unexpected end of file");
        }
        return s.charAt(pos);
    }

    private char next() throws IOException {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) throws IOException {
        char got = next();
        if (got != c) {
            throw error("expected '" + c + "', found '" + got + "'");
        }
    }

    private IOException error(String what) {
        return new IOException(file + ": not a vocabulary (JSON object of token to id) at character " + pos + ": " + what);
    }
}
