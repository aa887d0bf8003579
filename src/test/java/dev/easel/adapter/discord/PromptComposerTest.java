package dev.easel.adapter.discord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptComposerTest {
    private static final Preferences PREFS = new Preferences("3:2", "ddim", 20);

    @Test
    void typedOptionsBecomeParametersWithNegativeLast() {
        assertEquals("a fox --ar 16:9 --seed 42 --no snow, trees", PromptComposer.compose("  a fox ",
                new PromptComposer.Typed("16:9", 42L, " snow, trees "), Preferences.NONE));
    }

    @Test
    void preferencesFillOnlyWhatThePromptDoesNotSay() {
        assertEquals("a fox --ar 3:2 --sampler ddim --steps 20",
                PromptComposer.compose("a fox", PromptComposer.Typed.NONE, PREFS));
        assertEquals("a fox --size 64x64 --q 2 --sampler euler",
                PromptComposer.compose("a fox --size 64x64 --q 2 --sampler euler", PromptComposer.Typed.NONE, PREFS));
        assertEquals("a fox \u2014ar 1:1 --sampler ddim --steps 20",
                PromptComposer.compose("a fox \u2014ar 1:1", PromptComposer.Typed.NONE, PREFS), "an em dash counts");
        assertEquals("a fox --ar 4:5 --sampler ddim --steps 20",
                PromptComposer.compose("a fox", new PromptComposer.Typed("4:5", null, null), PREFS),
                "the typed option wins over the preference");
    }

    @Test
    void parameterDetectionNeedsTheWholeName() {
        assertTrue(PromptComposer.has("x --AR 2:3", "ar"));
        assertFalse(PromptComposer.has("x --art deco", "ar"));
        assertFalse(PromptComposer.has("radar", "ar"));
    }
}
