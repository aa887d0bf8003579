package dev.easel.sd.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decoding of HTML character references, in two flavours that CLIP's text cleaning uses:
 *
 * <ul>
 *   <li>{@link #unescape}: the HTML5 rules for text content (what Python's {@code html.unescape}
 *       implements): named references with or without the semicolon where the standard allows
 *       it, the longest known name as a prefix of an unknown one ({@code &notit;} → "¬it;"),
 *       decimal/hex references with the standard's replacements for invalid code points.</li>
 *   <li>{@link #unescapeStrict}: only unambiguous references that end in a semicolon, plus
 *       all-caps spellings of lower-case names ({@code &EACUTE;} → "É"), as ftfy's
 *       {@code unescape_html} fixer decodes them.</li>
 * </ul>
 *
 * The entity table is the HTML Living Standard's list of named character references, read
 * once from {@code html5-entities.txt} next to this class.
 */
final class HtmlUnescape {
    private HtmlUnescape() {
    }

    /** A reference as the HTML5 tokenizer sees it in text content. */
    private static final Pattern CHARREF = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** A reference that ends in a semicolon (ftfy's stricter pattern). */
    private static final Pattern STRICT_REF = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /**
     * Numeric references to these code points are replaced by the HTML standard (0x80–0x9F are
     * read as windows-1252; NUL becomes U+FFFD; CR stays CR).
     */
    private static final Map<Integer, String> INVALID_CHARREFS = Map.ofEntries(
            Map.entry(0x00, "\uFFFD"), Map.entry(0x0D, "\r"),
            Map.entry(0x80, "\u20AC"), Map.entry(0x81, "\u0081"), Map.entry(0x82, "\u201A"),
            Map.entry(0x83, "\u0192"), Map.entry(0x84, "\u201E"), Map.entry(0x85, "\u2026"),
            Map.entry(0x86, "\u2020"), Map.entry(0x87, "\u2021"), Map.entry(0x88, "\u02C6"),
            Map.entry(0x89, "\u2030"), Map.entry(0x8A, "\u0160"), Map.entry(0x8B, "\u2039"),
            Map.entry(0x8C, "\u0152"), Map.entry(0x8D, "\u008D"), Map.entry(0x8E, "\u017D"),
            Map.entry(0x8F, "\u008F"), Map.entry(0x90, "\u0090"), Map.entry(0x91, "\u2018"),
            Map.entry(0x92, "\u2019"), Map.entry(0x93, "\u201C"), Map.entry(0x94, "\u201D"),
            Map.entry(0x95, "\u2022"), Map.entry(0x96, "\u2013"), Map.entry(0x97, "\u2014"),
            Map.entry(0x98, "\u02DC"), Map.entry(0x99, "\u2122"), Map.entry(0x9A, "\u0161"),
            Map.entry(0x9B, "\u203A"), Map.entry(0x9C, "\u0153"), Map.entry(0x9D, "\u009D"),
            Map.entry(0x9E, "\u017E"), Map.entry(0x9F, "\u0178"));

    // The tables below use the patterns above: keep them last among the static fields.

    /** name (without '&', with the ';' when it has one) → replacement text. */
    private static final Map<String, String> ENTITIES = loadEntities();

    /** "&NAME;" → text, for the strict decoder: semicolon names plus upper-cased lower-case names. */
    private static final Map<String, String> STRICT = buildStrict();

    /** The HTML5 rules for text content, as Python's {@code html.unescape}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replaceCharref(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Semicolon-terminated references only, plus all-caps names (ftfy's {@code unescape_html}). */
    static String unescapeStrict(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = STRICT_REF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String ref = m.group();
            String replacement = STRICT.get(ref);
            if (replacement == null) {
                replacement = ref;
                if (ref.startsWith("&#")) {
                    // A numeric reference counts only if it is decoded as a whole, semicolon included.
                    String decoded = unescape(ref);
                    if (decoded.indexOf(';') < 0) {
                        replacement = decoded;
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replaceCharref(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            long num = parseCapped(digits, hex ? 16 : 10);
            String fixed = INVALID_CHARREFS.get((int) Math.min(num, Integer.MAX_VALUE));
            if (fixed != null) {
                return fixed;
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                return "\uFFFD";
            }
            if (isInvalidCodePoint((int) num)) {
                return "";
            }
            return new String(Character.toChars((int) num));
        }
        String direct = ENTITIES.get(ref);
        if (direct != null) {
            return direct;
        }
        // The longest known name that prefixes the reference (legacy names without ';').
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ref.substring(0, x);
            String value = ENTITIES.get(prefix);
            if (value != null) {
                return value + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** Parses digits; anything above U+10FFFF saturates (it is replaced by U+FFFD anyway). */
    private static long parseCapped(String digits, int radix) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            v = v * radix + Character.digit(digits.charAt(i), radix);
            if (v > 0x10FFFF) {
                return 0x110000;
            }
        }
        return v;
    }

    /** Code points that a numeric reference may not produce: they decode to nothing. */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> loadEntities() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.txt")) {
            if (in == null) {
                throw new IllegalStateException("html5-entities.txt is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder(2);
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(map);
    }

    private static Map<String, String> buildStrict() {
        Map<String, String> map = new HashMap<>(4096);
        for (Map.Entry<String, String> e : ENTITIES.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            map.put("&" + name, e.getValue());
        }
        // All-caps spellings of lower-case names, unless the caps form is itself decoded by the
        // HTML5 rules (then it means something else, e.g. &AMP;).
        for (Map.Entry<String, String> e : ENTITIES.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";") || !name.equals(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String upper = "&" + name.toUpperCase(Locale.ROOT);
            if (unescape(upper).equals(upper)) {
                map.put(upper, e.getValue().toUpperCase(Locale.ROOT));
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
