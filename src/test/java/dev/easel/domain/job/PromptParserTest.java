package dev.easel.domain.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.*;

class PromptParserTest {
    private final PromptParser sd15 = new PromptParser(PromptParser.Settings.sd15("sd15"));
    private final PromptParser sd21 = new PromptParser(new PromptParser.Settings("sd21", 768, 30, 7.5,
            Sampler.DEFAULT, 1536, 150, 4, 2000));

    private GenerationParams ok(PromptParser parser, String text) {
        ParseResult r = parser.parse(text);
        if (r instanceof ParseResult.Invalid invalid) {
            fail("expected to parse \"" + text + "\" but got: " + invalid.message());
        }
        return ((ParseResult.Parsed) r).params();
    }

    private GenerationParams ok(String text) {
        return ok(sd15, text);
    }

    private String error(String text) {
        ParseResult r = sd15.parse(text);
        assertInstanceOf(ParseResult.Invalid.class, r, () -> "expected an error for \"" + text + "\"");
        return ((ParseResult.Invalid) r).message();
    }

    @Test
    void plainPromptGetsTheDefaults() {
        GenerationParams p = ok("  a lighthouse   at dusk ");
        assertEquals("a lighthouse at dusk", p.prompt());
        assertEquals("", p.negativePrompt());
        assertEquals(512, p.width());
        assertEquals(512, p.height());
        assertEquals(30, p.steps());
        assertEquals(7.5, p.guidanceScale());
        assertEquals(Sampler.EULER_A, p.sampler());
        assertEquals(OptionalLong.empty(), p.seed());
        assertEquals(0, p.chaos());
        assertEquals(OptionalInt.empty(), p.stylize());
        assertFalse(p.tile());
        assertEquals(1.0, p.quality());
        assertEquals("sd15", p.model());
        assertEquals(4, p.candidateCount());
    }

    @Test
    void everyParameterTogether() {
        GenerationParams p = ok("a red fox in snow --ar 3:2 --seed 4294967295 --no text, watermark ,  --chaos 40 "
                + "--stylize 250 --tile --sampler dpmpp_2m_karras --steps 42");
        assertEquals("a red fox in snow", p.prompt());
        assertEquals(640, p.width());
        assertEquals(448, p.height());
        assertEquals(OptionalLong.of(4294967295L), p.seed());
        assertEquals("text, watermark", p.negativePrompt());
        assertEquals(40, p.chaos());
        assertEquals(OptionalInt.of(250), p.stylize());
        assertEquals(4.71, p.guidanceScale(), 1e-9, "1 + 1300/350 = 4.714 rounded to 0.01");
        assertTrue(p.tile());
        assertEquals(Sampler.DPMPP_2M_KARRAS, p.sampler());
        assertEquals(42, p.steps());
    }

    @ParameterizedTest(name = "--ar {0} on 512² → {1}x{2}")
    @CsvSource({"1:1,512,512", "16:9,704,384", "9:16,384,704", "3:2,640,448", "2:3,448,640", "4:3,576,448",
            "21:9,768,320", "2:1,704,384", "32:9,960,256"})
    void aspectRatioSnapsToMultiplesOf64NearTheNativeArea(String ar, int w, int h) {
        GenerationParams p = ok("x --ar " + ar);
        assertEquals(w, p.width());
        assertEquals(h, p.height());
        assertEquals(0, p.width() % 64);
        double area = (double) p.width() * p.height() / (512.0 * 512.0);
        assertTrue(area > 0.85 && area < 1.15, "area within 15% of native: " + area);
    }

    @Test
    void aspectRatioUsesTheModelsNativeSize() {
        GenerationParams p = ok(sd21, "x --ar 16:9");
        assertEquals(1024, p.width());
        assertEquals(576, p.height());
        GenerationParams square = ok(sd21, "x");
        assertEquals(768, square.width());
    }

    @Test
    void emDashAndEnDashWorkLikeDoubleHyphen() {
        GenerationParams p = ok("castle on a hill \u2014ar 16:9 \u2013seed 7 \u2014no fog");
        assertEquals("castle on a hill", p.prompt());
        assertEquals(704, p.width());
        assertEquals(OptionalLong.of(7), p.seed());
        assertEquals("fog", p.negativePrompt());
    }

    @Test
    void dashesInsideTheDescriptionStayText() {
        GenerationParams p = ok("a cat \u2014 sitting, 1990\u20132000 style, well-lit -- noir --seed 1");
        assertEquals("a cat \u2014 sitting, 1990\u20132000 style, well-lit -- noir", p.prompt());
    }

    @Test
    void parameterNamesAreCaseInsensitiveAndAliasesWork() {
        GenerationParams p = ok("x --AR 2:3 --C 10 --S 0 --Quality 2");
        assertEquals(448, p.width());
        assertEquals(10, p.chaos());
        assertEquals(14.0, p.guidanceScale());
        assertEquals(60, p.steps());
        GenerationParams a = ok("x --aspect 1:1");
        assertEquals(512, a.width());
    }

    @ParameterizedTest(name = "--q {0} → {1} steps")
    @CsvSource({"0.25,8", ".25,8", "0.5,15", "1,30", "1.0,30", "2,60"})
    void qualityMultipliesTheDefaultSteps(String q, int steps) {
        GenerationParams p = ok("x --q " + q);
        assertEquals(steps, p.steps());
        assertEquals(steps / 30.0, p.quality(), 0.02);
    }

    @ParameterizedTest(name = "--stylize {0} → guidance {1}")
    @CsvSource({"0,14.0", "100,7.5", "250,4.71", "1000,2.18"})
    void stylizeMapsToGuidance(int s, double g) {
        assertEquals(g, ok("x --stylize " + s).guidanceScale(), 1e-9);
        assertEquals(g, PromptParser.guidanceForStylize(s), 1e-9);
    }

    @Test
    void explicitCfgStepsSizeAndSampler() {
        GenerationParams p = ok("x --cfg 12.5 --steps 150 --size 768x512 --sampler DDIM");
        assertEquals(12.5, p.guidanceScale());
        assertEquals(150, p.steps());
        assertEquals(768, p.width());
        assertEquals(512, p.height());
        assertEquals(Sampler.DDIM, p.sampler());
        assertEquals(OptionalInt.empty(), p.stylize());
        GenerationParams times = ok("x --size 64×1024");
        assertEquals(64, times.width());
        assertEquals(1024, times.height());
    }

    @Test
    void negativePromptRunsUntilTheNextParameter() {
        GenerationParams p = ok("portrait --no blurry hands,  extra fingers,,text --seed 3");
        assertEquals("blurry hands, extra fingers, text", p.negativePrompt());
        assertEquals(OptionalLong.of(3), p.seed());
    }

    @Test
    void eachSamplerIdParses() {
        for (String id : Sampler.ids()) {
            assertEquals(id, ok("x --sampler " + id).sampler().id());
        }
    }

    @Test
    void emptyPromptIsRejected() {
        assertTrue(error("").startsWith("the prompt is empty"));
        assertTrue(error("   ").startsWith("the prompt is empty"));
        assertTrue(error("--ar 16:9").startsWith("the prompt is empty"));
        assertTrue(error(null).startsWith("the prompt is empty"));
    }

    @Test
    void tooLongPromptIsRejected() {
        assertEquals("the prompt is 2001 characters long; the limit is 2000", error("a".repeat(2001)));
    }

    @Test
    void unknownParameterListsTheKnownOnes() {
        assertEquals("unknown parameter --foo; known: --ar (--aspect), --cfg, --chaos (--c), --no, --q (--quality), "
                + "--sampler, --seed, --size, --steps, --stylize (--s), --tile", error("x --foo 3"));
        assertTrue(error("x --ar16:9").startsWith("unknown parameter --ar16:9;"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "x --seed -1|--seed -1 is not allowed: use a whole number from 0 to 4294967295",
            "x --seed 4294967296|--seed 4294967296 is not allowed: use a whole number from 0 to 4294967295",
            "x --seed 12x|--seed 12x is not allowed: use a whole number from 0 to 4294967295",
            "x --seed 99999999999999999999|--seed 99999999999999999999 is not allowed: use a whole number from 0 to 4294967295",
            "x --chaos 101|--chaos 101 is not allowed: use a whole number from 0 to 100",
            "x --stylize 1001|--stylize 1001 is not allowed: use a whole number from 0 to 1000",
            "x --steps 0|--steps 0 is not allowed: use a whole number from 1 to 150",
            "x --steps 151|--steps 151 is not allowed: use a whole number from 1 to 150",
            "x --cfg 0.5|--cfg 0.5 is not allowed: use a number from 1 to 30, e.g. --cfg 7.5",
            "x --cfg 31|--cfg 31 is not allowed: use a number from 1 to 30, e.g. --cfg 7.5",
            "x --cfg NaN|--cfg NaN is not allowed: use a number from 1 to 30, e.g. --cfg 7.5",
            "x --q 3|--q 3 is not allowed: use 0.25, 0.5, 1 or 2",
            "x --q high|--q high is not allowed: use 0.25, 0.5, 1 or 2",
            "x --sampler k_lms|--sampler k_lms is unknown; known: ddim, pndm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras, lms, unipc",
            "x --ar 16-9|--ar 16-9 is not an aspect ratio: use W:H with whole numbers, e.g. --ar 16:9",
            "x --ar 0:1|--ar 0:1 is not allowed: both sides of W:H must be at least 1",
            "x --ar 1:20|--ar 1:20 gives 128x2304, over the 1024-pixel limit per side: use a ratio closer to 1:1 (e.g. up to 4:1)",
            "x --size 500x512|--size 500x512: 500 is not a multiple of 8 (try 496 or 504)",
            "x --size 2048x512|--size 2048x512: each side must be 64 to 1024 pixels; 2048 is not",
            "x --size 32x512|--size 32x512: each side must be 64 to 1024 pixels; 32 is not",
            "x --size big|--size big is not a size: use WxH in pixels, e.g. --size 768x512",
            "x --ar 16:9 --size 512x512|--ar and --size both set the picture size; use one of them",
            "x --cfg 7 --stylize 50|--stylize and --cfg both set the guidance scale; use one of them",
            "x --steps 20 --q 2|--q and --steps both set the number of steps; use one of them",
            "x --seed 1 --seed 2|--seed is given twice; give it once",
            "x --no a --no b|--no is given twice; give it once",
            "x --ar 16:9 in the rain|unexpected text \"in the rain\" after --ar 16:9: put the description before the parameters",
            "x --tile please|--tile takes no value, but \"please\" follows it: put the description before the parameters",
            "x --seed|--seed needs a value: a whole number from 0 to 4294967295",
            "x --ar --seed 3|--ar needs a value: W:H, e.g. 16:9",
            "x --no|--no needs the things to leave out, e.g. --no text, watermark",
            "x --no , ,|--no needs the things to leave out, e.g. --no text, watermark",
    })
    void badValuesNameTheParameterTheValueAndWhatIsAllowed(String prompt, String message) {
        assertEquals(message, error(prompt));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--steps 40", "--q 0.5"})
    void planCapOnStepsIsRespected(String param) {
        PromptParser capped = new PromptParser(new PromptParser.Settings("m", 512, 30, 7.5, Sampler.DEFAULT, 1024,
                40, 4, 100));
        assertInstanceOf(ParseResult.Parsed.class, capped.parse("x " + param));
        assertEquals("--steps 41 is not allowed: use a whole number from 1 to 40",
                ((ParseResult.Invalid) capped.parse("x --steps 41")).message());
    }

    @Test
    void settingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new PromptParser.Settings("m", 500, 30, 7.5,
                Sampler.DEFAULT, 1024, 150, 4, 100));
        assertThrows(IllegalArgumentException.class, () -> new PromptParser.Settings("m", 512, 30, 7.5,
                Sampler.DEFAULT, 1024, 151, 4, 100));
        assertThrows(IllegalArgumentException.class, () -> new PromptParser.Settings("m", 512, 0, 7.5,
                Sampler.DEFAULT, 1024, 150, 4, 100));
    }
}
