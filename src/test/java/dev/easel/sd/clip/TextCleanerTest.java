package dev.easel.sd.clip;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The clean-up and word split before BPE. Expected values are what the reference pipeline
 * (ftfy 6.3.1 fix_text, html.unescape twice, whitespace clean-up, str.lower, and the reference
 * pattern under the `regex` module) gives for the same input.
 */
class TextCleanerTest {

    @Test
    void htmlReferencesFollowFtfyThenTheHtml5Rules() {
        // ftfy decodes all-caps names of lower-case entities, but only where the caps form means nothing else
        assertEquals("p\u00e9rez \u00f1 \u00f1 &ntilde;", TextCleaner.clean("P&EACUTE;REZ &ntilde; &NTILDE; &nTILDE;"));
        assertEquals("P\u00c9REZ \u00f1 \u00d1 &nTILDE;", TextCleaner.fixText("P&EACUTE;REZ &ntilde; &NTILDE; &nTILDE;"));
        // entities decode before the quote fix, so &ldquo; becomes a straight quote ...
        assertEquals("<b> & \"x\"", TextCleaner.clean("&lt;b&gt; &amp;amp; &ldquo;x&rdquo;"));
        // ... except on and after a line containing '<' (ftfy then leaves entities alone; the
        // later HTML5 decoding produces curly quotes that stay curly)
        assertEquals("<b> \u201cx\u201d &", TextCleaner.clean("<b> &ldquo;x&rdquo; &amp;"));
        assertEquals("line one \"a\" <tag> \u201cb\u201d three \u201cc\u201d",
                TextCleaner.clean("line one &ldquo;a&rdquo;\n<tag> &ldquo;b&rdquo;\nthree &ldquo;c&rdquo;"));
        // numeric references: windows-1252 for 0x80-0x9F, U+FFFD for NUL, surrogates and too-large
        // values, nothing for other invalid code points; legacy names without ';' and longest prefixes
        assertEquals("\u20ac \" \ufffd \ufffd \ufffd a \u00a9 \u00acit; x",
                TextCleaner.clean("&#128; &#x93; &#0; &#xD800; &#99999999; &#65 &copy &notit; &#1;x"));
    }

    @Test
    void ftfyCharacterFixes() {
        assertEquals("blue", TextCleaner.clean("\u001b[36;44mblue\u001b[0m"));
        assertEquals("\"quoted\" \u2026", TextCleaner.clean("\u0093quoted\u0094 \u0085"));
        assertEquals("'n D\u017e \u017ft", TextCleaner.fixText("\u0149 \u01c5 \ufb05"));
        assertEquals("\u30ab\u30bf\u30ab\u30ca \"full\" 'x'", TextCleaner.clean("\uff76\uff80\uff76\uff85 \uff02full\uff02 \uff07x\uff07"));
        assertEquals("a\nb\nc\nd\ne", TextCleaner.fixText("a\u2028b\u2029c\r\nd\re"));
        assertEquals("a b c d e", TextCleaner.clean("a\u2028b\u2029c\r\nd\re"));
        // BOM, Arabic format controls and U+FFFC go; zero-width space stays
        assertEquals("xyzw\u200bv", TextCleaner.clean("x\ufeffy\u206az\ufffcw\u200bv"));
        assertEquals("\ufffd", TextCleaner.clean("\ud83d"));
        assertEquals("caf\u00e9", TextCleaner.clean("cafe\u0301"));
    }

    @Test
    void lowerCaseFollowsPythonIncludingFinalSigma() {
        assertEquals("\u03c3\u03bf\u03c6\u03bf\u03c2 \u03c3\u03b1\u03c2. \u03c3", TextCleaner.clean("\u03a3\u039f\u03a6\u039f\u03a3 \u03a3\u0391\u03a3. \u03a3"));
        assertEquals("i\u0307stanbul", TextCleaner.clean("\u0130stanbul"));
        assertEquals("\u017f's", TextCleaner.clean("\u017f'S"));
    }

    @Test
    void wordsSplitAsTheReferencePattern() {
        assertEquals(List.of("\u017f", "'s"), CLIPTokenizer.preTokenize("\u017f's"));
        assertEquals(List.of("a", "b"), CLIPTokenizer.preTokenize("a\u0345b"));
        assertEquals(List.of("x", ",<|", "endoftext", "|>", "y"), CLIPTokenizer.preTokenize("x,<|endoftext|>y"));
        assertEquals(List.of("it", "'s", "1", "2", "ab", "''", "s", "!?<|", "startoftext", "|>"),
                CLIPTokenizer.preTokenize("it's 12ab ''s !?<|startoftext|>"));
        assertEquals(List.of("don", "'t", "stop", "'ll", "'ve"), CLIPTokenizer.preTokenize("don'tstop 'll've"));
        assertEquals(List.of("<|startoftext|>", "a", "<|endoftext|>"), CLIPTokenizer.preTokenize("<|startoftext|> a <|endoftext|>"));
    }
}
