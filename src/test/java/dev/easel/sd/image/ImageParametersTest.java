package dev.easel.sd.image;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ImageParametersTest {

    @Test
    void parsesTextWrittenByOtherUisIncludingQuotedValuesAndExtraSettings() {
        // given text in the common format with a multi-line prompt and extra settings
        String text = "masterpiece, a cat\nin the rain\nNegative prompt: lowres, bad anatomy\n"
                + "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 1234567890, Size: 512x768, "
                + "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.7, "
                + "Lora hashes: \"add_detail: 7c6bad76eb54, more: \\\"x\\\"\", Version: v1.6.0";
        // when
        ImageParameters p = ImageParameters.parse(text);
        // then
        assertEquals("masterpiece, a cat\nin the rain", p.prompt());
        assertEquals("lowres, bad anatomy", p.negativePrompt());
        assertEquals(20, p.steps());
        assertEquals("DPM++ 2M Karras", p.sampler());
        assertEquals(7.5, p.cfgScale());
        assertEquals(1234567890L, p.seed());
        assertEquals(512, p.width());
        assertEquals(768, p.height());
        assertEquals("v1-5-pruned-emaonly", p.model());
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("Model hash", "6ce0161689");
        extra.put("Denoising strength", "0.7");
        extra.put("Lora hashes", "add_detail: 7c6bad76eb54, more: \"x\"");
        extra.put("Version", "v1.6.0");
        assertEquals(extra, p.extra());
        assertEquals(java.util.List.copyOf(extra.keySet()), java.util.List.copyOf(p.extra().keySet()));
    }

    @Test
    void valuesWithCommasOrColonsAreQuotedAndRoundTrip() {
        ImageParameters p = new ImageParameters("p", "", 10, "Euler", 5, -1, 64, 64)
                .withExtra("Variation of", "job:42, candidate 3")
                .withExtra("Style", "raw");
        String text = p.toText();
        assertEquals("p\nSteps: 10, Sampler: Euler, CFG scale: 5, Seed: -1, Size: 64x64, "
                + "Variation of: \"job:42, candidate 3\", Style: raw", text);
        assertEquals(p, ImageParameters.parse(text));
    }

    @Test
    void emptyPromptAndNoNegativeRoundTrip() {
        ImageParameters p = new ImageParameters("", null, 1, "DDIM", 1.25, 0, 8, 16);
        assertEquals("\nSteps: 1, Sampler: DDIM, CFG scale: 1.25, Seed: 0, Size: 8x16", p.toText());
        assertEquals(p, ImageParameters.parse(p.toText()));
    }

    @Test
    void missingOrMalformedSettingsAreNamed() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ImageParameters.parse("just a prompt"));
        assertTrue(none.getMessage().contains("no settings line"), none.getMessage());
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                () -> ImageParameters.parse("p\nSteps: 20, Sampler: Euler, CFG scale: 7, Size: 512x512"));
        assertTrue(seed.getMessage().contains("'Seed'"), seed.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> ImageParameters.parse("p\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: big"));
        assertTrue(size.getMessage().contains("WIDTHxHEIGHT"), size.getMessage());
        IllegalArgumentException std = assertThrows(IllegalArgumentException.class,
                () -> new ImageParameters("p", "", 1, "Euler", 1, 1, 8, 8).withExtra("Seed", "2"));
        assertTrue(std.getMessage().contains("standard field"), std.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageParameters("p", "", 0, "Euler", 1, 1, 8, 8));
    }
}
