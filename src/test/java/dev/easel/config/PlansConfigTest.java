package dev.easel.config;

import dev.easel.domain.quota.PeriodMode;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.TestPlans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlansConfigTest {
    @TempDir
    Path tmp;

    private static final String MINIMAL = """
            defaultPlan: free
            plans:
              free:
                images: 25
                renews: never
                lane: relax
            """;

    private static void assertError(String expected, String yaml) {
        IOException e = assertThrows(IOException.class, () -> PlansConfig.parse("plans.yaml", yaml));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void theShippedPlansFileHoldsTheDocumentedDefaults() throws IOException {
        // given config/plans.yaml as shipped
        PlanDefaults d = PlansConfig.load(Path.of("config/plans.yaml"));
        // then it equals the plans the domain tests use, field for field
        assertEquals(TestPlans.defaults(), d);
        assertEquals("free", d.defaultPlan());
        assertEquals(PeriodMode.ANNIVERSARY, d.periodMode());
        Plan standard = d.plans().get(2);
        assertEquals(OptionalInt.empty(), standard.images());
        assertEquals(OptionalInt.of(900), standard.relaxAfter());
        assertEquals(List.of("free", "basic", "standard", "private"), d.plans().stream().map(Plan::name).toList());
    }

    @Test
    void changingALimitInTheFileChangesThePlan() throws IOException {
        // given the shipped file with basic raised from 100 to 200 images a month
        String yaml = Files.readString(Path.of("config/plans.yaml"))
                .replace("    images: 100\n", "    images: 200\n");
        Path file = tmp.resolve("plans.yaml");
        Files.writeString(file, yaml);
        // then basic has 200 images and nothing else changed
        PlanDefaults d = PlansConfig.load(file);
        assertEquals(TestPlans.basic().toBuilder().images(200).build(), d.plans().get(1));
        assertEquals(TestPlans.standard(), d.plans().get(2));
    }

    @Test
    void omittedFieldsTakeTheBaselineAndPeriodsDefaultToAnniversary() throws IOException {
        PlanDefaults d = PlansConfig.parse("plans.yaml", MINIMAL);
        Plan free = d.plans().get(0);
        assertEquals(Plan.builder("free").images(25).renewal(dev.easel.domain.quota.Renewal.NEVER)
                .lane(dev.easel.domain.quota.Lane.RELAX).build(), free);
        assertEquals(PeriodMode.ANNIVERSARY, d.periodMode());
        assertEquals(PeriodMode.CALENDAR, PlansConfig.parse("plans.yaml", "periods: calendar\n" + MINIMAL).periodMode());
    }

    @Test
    void mistakesNameTheFileAndThePathToTheKey() {
        assertError("plans.yaml: plans.free.images: must be between 0 and 100000000, or unlimited (got -3)",
                MINIMAL.replace("images: 25", "images: -3"));
        assertError("plans.yaml: plans.free.images: expected a whole number of 0 or more, or unlimited (got 'many')",
                MINIMAL.replace("images: 25", "images: many"));
        assertError("plans.yaml: plans.free.lane: is required for a plan (fast or relax)",
                MINIMAL.replace("    lane: relax\n", ""));
        assertError("plans.yaml: plans.free.maxQueued: must be at least maxRunning (3) because queued jobs include running ones (got 2)",
                MINIMAL + "    maxRunning: 3\n    maxQueued: 2\n");
        assertError("plans.yaml: plans.free.relaxAfter: only applies to plans whose lane is fast (this plan's lane is relax); set it to none",
                MINIMAL + "    relaxAfter: 5\n");
        assertError("plans.yaml: plans.free.imgs: unknown field; known fields are displayName, priority, addOn, images, renews, "
                + "lane, relaxAfter, maxRunning, maxQueued, maxSteps, maxPixels, maxSide, maxUpscale, commercial, private",
                MINIMAL + "    imgs: 5\n");
        assertError("plans.yaml: plans.Free.name: 'Free' is not allowed: use 1 to 32 lowercase letters a-z, digits, '-' or '_', "
                + "starting with a letter or digit", MINIMAL.replace("  free:", "  Free:"));
        assertError("plans.yaml: plans.free.maxSteps: expected a single value, not a list", MINIMAL + "    maxSteps: [1, 2]\n");
        assertError("plans.yaml: plans.free.maxSteps: has no value", MINIMAL + "    maxSteps:\n");
        assertError("plans.yaml: plans.vip.images: does not apply to add-on plans (they only use displayName, priority and private)",
                MINIMAL + "  vip:\n    addOn: true\n    images: 5\n");
        assertError("plans.yaml: defaultPlan: unknown plan 'gold'; plans are free", MINIMAL.replace("defaultPlan: free", "defaultPlan: gold"));
        assertError("plans.yaml: defaultPlan: is required: the plan of members nothing else applies to",
                MINIMAL.replace("defaultPlan: free\n", ""));
        assertError("plans.yaml: periods: expected anniversary or calendar (got 'weekly')", "periods: weekly\n" + MINIMAL);
        assertError("plans.yaml: plan: unknown key; expected defaultPlan, periods and plans", "plan: {}\n" + MINIMAL);
        assertError("plans.yaml: plans: expected a mapping of plan name to fields, with at least one plan", "defaultPlan: free\nplans: {}\n");
        assertError("plans.yaml: plans.free: expected a mapping of field to value", "defaultPlan: free\nplans:\n  free: 3\n");
    }

    @Test
    void duplicateKeysAndBrokenYamlAreRefused() {
        IOException dup = assertThrows(IOException.class, () -> PlansConfig.parse("plans.yaml",
                MINIMAL + "  free:\n    images: 1\n    renews: never\n    lane: relax\n"));
        assertEquals(true, dup.getMessage().startsWith("plans.yaml: not valid YAML: Duplicate field 'free'"), dup.getMessage());
        IOException broken = assertThrows(IOException.class, () -> PlansConfig.parse("plans.yaml", "plans: [\n"));
        assertEquals(true, broken.getMessage().startsWith("plans.yaml: not valid YAML: "), broken.getMessage());
        IOException missing = assertThrows(IOException.class, () -> PlansConfig.load(tmp.resolve("nope.yaml")));
        assertEquals(tmp.resolve("nope.yaml") + ": plans file not found", missing.getMessage());
    }
}
