package dev.easel.adapter.discord;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FieldListTest {
    @Test
    void pairsWithQuotedValues() throws Exception {
        assertEquals(Map.of("images", "100", "displayName", "Gold tier", "lane", "fast"),
                FieldList.parse("  images=100 displayName=\"Gold tier\"   lane=fast "));
        assertEquals(Map.of(), FieldList.parse(null));
        assertEquals(Map.of(), FieldList.parse("   "));
    }

    @Test
    void mistakesNameTheFieldAndTheProblem() {
        assertProblem("images=100 lane", FieldList.Problem.NO_VALUE, "lane");
        assertProblem("images=100 =fast", FieldList.Problem.NO_NAME, "12");
        assertProblem("displayName=\"Gold", FieldList.Problem.UNCLOSED_QUOTE, "displayName");
        assertProblem("images=", FieldList.Problem.EMPTY_VALUE, "images");
        assertProblem("images=1 images=2", FieldList.Problem.TWICE, "images");
        FieldList.BadFields e = assertThrows(FieldList.BadFields.class, () -> FieldList.parse("images=1 images=2"));
        assertEquals("\u274C fields: images is given twice. Write them as key=value pairs separated by spaces, e.g. "
                + "`images=100 renews=monthly lane=fast displayName=\"Gold tier\"`; known fields: displayName, priority, "
                + "addOn, images, renews, lane, relaxAfter, maxRunning, maxQueued, maxSteps, maxPixels, maxSide, "
                + "maxUpscale, commercial, private.", BotMessages.fieldProblem(e));
    }

    private static void assertProblem(String text, FieldList.Problem problem, String key) {
        FieldList.BadFields e = assertThrows(FieldList.BadFields.class, () -> FieldList.parse(text));
        assertEquals(problem, e.problem);
        assertEquals(key, e.key);
    }
}
