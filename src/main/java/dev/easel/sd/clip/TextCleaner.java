package dev.easel.sd.clip;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The text clean-up that CLIP's tokenizer applies before splitting a prompt into words:
 *
 * <ol>
 *   <li>{@link #fixText}: the text fixes of ftfy's {@code fix_text} with its default settings,
 *       per line, repeated until nothing changes: HTML references (only when the line has no
 *       '&lt;'), C1 controls read as windows-1252, Latin ligatures (ﬁ → fi), full-/half-width
 *       forms (ＡＢＣ → ABC, U+3000 → space), curly quotes → straight, line breaks → '\n',
 *       unpaired surrogates → U+FFFD, terminal escapes and invisible control characters
 *       removed, NFC. ftfy's mojibake repair (re-decoding text that was decoded with the wrong
 *       code page, e.g. "cafÃ©" → "café") is not done: the text is taken as it was typed.</li>
 *   <li>HTML references decoded twice more with the HTML5 rules, then stripped
 *       (openai CLIP's {@code basic_clean}).</li>
 *   <li>Every run of whitespace → one space, stripped ({@code whitespace_clean}); then lower case.</li>
 * </ol>
 *
 * "Whitespace" is what Python's {@code str.isspace} accepts, so that the result equals the
 * reference tokenizer's.
 */
final class TextCleaner {
    private TextCleaner() {
    }

    /** ESC [ (digits or ';')* letter: an ANSI terminal escape sequence. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[[\\p{Nd};]*[a-zA-Z]");

    /** The full pipeline: fixText, HTML unescape ×2, whitespace clean-up, lower case. */
    static String clean(String text) {
        String s = fixText(text);
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s));
        s = collapseWhitespace(s);
        return lowerCase(s);
    }

    /**
     * Lower case as Python's {@code str.lower} (Unicode full lowercase mapping): the simple
     * mapping of each code point, except İ (U+0130) → "i̇" and capital sigma, which becomes
     * final ς when it ends a word (Unicode's Final_Sigma context: a cased letter before it and
     * none after it, skipping case-ignorable characters), σ otherwise.
     */
    static String lowerCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp == 0x0130) {
                sb.append("i\u0307");
            } else if (cp == 0x03A3) {
                sb.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static boolean isFinalSigma(String s, int index) {
        int j = index;
        int before = -1;
        while (j > 0) {
            int c = s.codePointBefore(j);
            j -= Character.charCount(c);
            if (!isCaseIgnorable(c)) {
                before = c;
                break;
            }
        }
        if (before < 0 || !isCased(before)) {
            return false;
        }
        j = index + 1;
        while (j < s.length()) {
            int c = s.codePointAt(j);
            j += Character.charCount(c);
            if (!isCaseIgnorable(c)) {
                return !isCased(c);
            }
        }
        return true;
    }

    /** Unicode's Cased property: Lowercase, Uppercase or titlecase letter. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /**
     * Unicode's Case_Ignorable property: marks (Mn, Me), format characters (Cf), modifier
     * letters and symbols (Lm, Sk), and the word-internal punctuation of Word_Break
     * MidLetter / MidNumLet / Single_Quote.
     */
    private static boolean isCaseIgnorable(int cp) {
        int t = Character.getType(cp);
        if (t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.FORMAT
                || t == Character.MODIFIER_LETTER || t == Character.MODIFIER_SYMBOL) {
            return true;
        }
        return switch (cp) {
            case 0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027,
                    0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A -> true;
            default -> false;
        };
    }

    /** ftfy's fix_text (default configuration) without the mojibake repair; see the class comment. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true; // "auto": switched off for good by the first line containing '<'
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl + 1;
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) {
                text = HtmlUnescape.unescapeStrict(text);
            }
            text = fixC1Controls(text);
            text = mapCharacters(text); // ligatures, character width, quotes, surrogates
            text = fixLineBreaks(text);
            if (text.indexOf('\u001b') >= 0) {
                text = ANSI_ESCAPE.matcher(text).replaceAll("");
            }
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    /** U+0080–U+009F → the character windows-1252 has at that byte (undefined bytes stay). */
    private static String fixC1Controls(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                sb.append(windows1252(c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Windows-1252's character for a byte 0x80–0x9F; the five undefined bytes map to themselves. */
    static char windows1252(int b) {
        return WINDOWS_1252_HIGH.charAt(b - 0x80);
    }

    private static final String WINDOWS_1252_HIGH =
            "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
            + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /**
     * One pass over the code points applying, in ftfy's order, the per-character fixes: Latin
     * ligatures, then character width, then curly quotes (also on what the first two produced,
     * e.g. ŉ → ʼn → 'n); unpaired surrogates → U+FFFD.
     */
    private static String mapCharacters(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                i += 2;
            } else {
                cp = c;
                i++;
                if (Character.isSurrogate(c)) {
                    sb.append('\uFFFD');
                    continue;
                }
            }
            String lig = ligature(cp);
            if (lig != null) {
                appendUncurled(sb, lig);
            } else if (cp == 0x3000) {
                sb.append(' '); // ideographic space, treated like the full-width forms
            } else if (cp >= 0xFF01 && cp <= 0xFFEF) {
                // Full-width ASCII and half-width katakana/Hangul → their ordinary forms (NFKC's mapping).
                appendUncurled(sb, Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else {
                appendUncurled(sb, cp);
            }
        }
        return sb.toString();
    }

    private static void appendUncurled(StringBuilder sb, String s) {
        for (int j = 0; j < s.length(); ) {
            int cp = s.codePointAt(j);
            j += Character.charCount(cp);
            appendUncurled(sb, cp);
        }
    }

    /** Curly single quotes (and U+02BC) → ', curly double quotes → ". */
    private static void appendUncurled(StringBuilder sb, int cp) {
        if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
            sb.append('\'');
        } else if (cp >= 0x201C && cp <= 0x201F) {
            sb.append('"');
        } else {
            sb.appendCodePoint(cp);
        }
    }

    /** Drops the characters of {@link #isInvisibleControl}. */
    private static String removeControlChars(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isInvisibleControl(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Latin typographic ligatures and legacy digraphs → their letters; null for anything else. */
    private static String ligature(int cp) {
        return switch (cp) {
            case 0x0132 -> "IJ";
            case 0x0133 -> "ij";
            case 0x0149 -> "\u02BCn"; // ŉ → ʼn (the apostrophe is then straightened below)
            case 0x01F1 -> "DZ";
            case 0x01F2 -> "Dz";
            case 0x01F3 -> "dz";
            case 0x01C4 -> "D\u017D";
            case 0x01C5 -> "D\u017E";
            case 0x01C6 -> "d\u017E";
            case 0x01C7 -> "LJ";
            case 0x01C8 -> "Lj";
            case 0x01C9 -> "lj";
            case 0x01CA -> "NJ";
            case 0x01CB -> "Nj";
            case 0x01CC -> "nj";
            case 0xFB00 -> "ff";
            case 0xFB01 -> "fi";
            case 0xFB02 -> "fl";
            case 0xFB03 -> "ffi";
            case 0xFB04 -> "ffl";
            case 0xFB05 -> "\u017Ft";
            case 0xFB06 -> "st";
            default -> null;
        };
    }

    /**
     * Control characters nobody means to type: C0 controls other than tab, LF, FF and CR;
     * DEL; the deprecated Arabic format controls U+206A–U+206F; the byte-order mark U+FEFF;
     * interlinear annotation marks and the object replacement character U+FFF9–U+FFFC.
     */
    private static boolean isInvisibleControl(int cp) {
        return (cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    /** CRLF, CR, U+2028, U+2029 and NEL → '\n'. */
    private static String fixLineBreaks(String text) {
        if (text.indexOf('\r') < 0 && text.indexOf('\u2028') < 0 && text.indexOf('\u2029') < 0
                && text.indexOf('\u0085') < 0) {
            return text;
        }
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
                .replace('\u2029', '\n').replace('\u0085', '\n');
    }

    /** Python's {@code str.isspace}: what {@code \s} matches in the reference tokenizer's clean-up. */
    static boolean isPythonSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Runs of whitespace → one space; leading and trailing whitespace removed. */
    static String collapseWhitespace(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isPythonSpace(cp)) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }
}
