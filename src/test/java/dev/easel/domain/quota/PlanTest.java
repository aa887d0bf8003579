package dev.easel.domain.quota;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanTest {
    private static InvalidPlanException invalid(Executable e) {
        return assertThrows(InvalidPlanException.class, e);
    }

    private static void assertInvalid(String field, String expectedMessage, Executable e) {
        InvalidPlanException ex = invalid(e);
        assertEquals(field, ex.field());
        assertEquals(expectedMessage, ex.getMessage());
    }

    @Test
    void namesMustBeLowercaseWordsOfAtMost32Characters() {
        assertInvalid("name", "name: must not be empty", () -> Plan.builder("").images(1).build());
        assertInvalid("name", "name: 'Basic' is not allowed: use 1 to 32 lowercase letters a-z, digits, '-' or '_', "
                + "starting with a letter or digit", () -> Plan.builder("Basic").build());
        invalid(() -> Plan.builder("pro plan").build());
        invalid(() -> Plan.builder("-pro").build());
        invalid(() -> Plan.builder("a".repeat(33)).build());
        assertEquals("a".repeat(32), Plan.builder("a".repeat(32)).build().name());
        assertEquals("pro_2-x", Plan.builder("pro_2-x").build().name());
    }

    @Test
    void negativeOrOutOfRangeNumbersAreRefusedNamingTheField() {
        assertInvalid("images", "images: must be between 0 and 100000000, or unlimited (got -5)",
                () -> TestPlans.basic().toBuilder().images(-5).build());
        assertInvalid("maxRunning", "maxRunning: must be between 1 and 1000 (got 0)",
                () -> TestPlans.basic().toBuilder().maxRunning(0).build());
        assertInvalid("maxSteps", "maxSteps: must be between 1 and 1000 (got -1)",
                () -> TestPlans.basic().toBuilder().maxSteps(-1).build());
        assertInvalid("maxPixels", "maxPixels: must be between 1 and 2147483647 (got 0)",
                () -> TestPlans.basic().toBuilder().maxPixels(0).build());
        assertInvalid("maxSide", "maxSide: must be between 1 and 16384 (got 20000)",
                () -> TestPlans.basic().toBuilder().maxSide(20000).build());
        assertInvalid("maxUpscale", "maxUpscale: must be between 0 and 16 (got -2)",
                () -> TestPlans.basic().toBuilder().maxUpscale(-2).build());
        assertInvalid("relaxAfter", "relaxAfter: must be 0 or more, or none (got -1)",
                () -> TestPlans.standard().toBuilder().relaxAfter(-1).build());
    }

    @Test
    void relaxThresholdAboveTheLimitIsRefused() {
        assertInvalid("relaxAfter", "relaxAfter: 150 is above the plan's 100 images; it must be at most images",
                () -> TestPlans.basic().toBuilder().relaxAfter(150).build());
        // equal to the limit is fine
        assertEquals(OptionalInt.of(100), TestPlans.basic().toBuilder().relaxAfter(100).build().relaxAfter());
        // and an unlimited plan takes any threshold
        assertEquals(OptionalInt.of(5000), TestPlans.standard().toBuilder().relaxAfter(5000).build().relaxAfter());
    }

    @Test
    void relaxThresholdOnARelaxPlanIsRefused() {
        assertInvalid("relaxAfter", "relaxAfter: only applies to plans whose lane is fast (this plan's lane is relax); set it to none",
                () -> TestPlans.free().toBuilder().relaxAfter(10).build());
    }

    @Test
    void runningCapAboveQueuedCapIsRefused() {
        assertInvalid("maxQueued", "maxQueued: must be at least maxRunning (3) because queued jobs include running ones (got 2)",
                () -> TestPlans.basic().toBuilder().maxQueued(2).build());
        assertEquals(3, TestPlans.basic().toBuilder().maxQueued(3).build().maxQueued());
    }

    @Test
    void displayNameMustBePresentAndShort() {
        assertInvalid("displayName", "displayName: must not be empty", () -> TestPlans.basic().toBuilder().displayName("  ").build());
        assertInvalid("displayName", "displayName: must be at most 64 characters (got 65)",
                () -> TestPlans.basic().toBuilder().displayName("x".repeat(65)).build());
        assertEquals("Gold", TestPlans.basic().toBuilder().displayName("  Gold ").build().displayName());
    }

    @Test
    void addOnPlansMustGrantPrivate() {
        assertInvalid("private", "private: an add-on plan grants private results, so it must be included (got none)",
                () -> Plan.builder("x").addOn(true).build());
    }

    @Test
    void createFromTextFieldsRequiresImagesRenewsAndLane() {
        // given the fields an admin types, without a lane
        Map<String, String> fields = new LinkedHashMap<>(Map.of("images", "200", "renews", "monthly"));
        // then the missing field is named with what it accepts
        assertInvalid("lane", "lane: is required for a plan (fast or relax)", () -> PlanField.create("pro", fields));
        // when the lane is given the plan takes the baseline for everything else
        fields.put("lane", "fast");
        Plan p = PlanField.create("pro", fields);
        assertEquals(OptionalInt.of(200), p.images());
        assertEquals(Renewal.MONTHLY, p.renewal());
        assertEquals(Lane.FAST, p.lane());
        assertEquals("pro", p.displayName());
        assertEquals(1, p.maxRunning());
        assertEquals(3, p.maxQueued());
        assertEquals(50, p.maxSteps());
        assertEquals(PrivateAccess.NONE, p.privateAccess());
    }

    @Test
    void textValuesAreParsedWithMessagesNamingTheField() {
        Plan basic = TestPlans.basic();
        assertInvalid("images", "images: expected a whole number of 0 or more, or unlimited (got 'lots')",
                () -> PlanField.edit(basic, Map.of("images", "lots")));
        assertInvalid("lane", "lane: expected fast or relax (got 'turbo')", () -> PlanField.edit(basic, Map.of("lane", "turbo")));
        assertInvalid("commercial", "commercial: expected true or false (got 'yes please')",
                () -> PlanField.edit(basic, Map.of("commercial", "yes please")));
        assertInvalid("imagez", "imagez: unknown field; known fields are " + PlanField.allKeys(),
                () -> PlanField.edit(basic, Map.of("imagez", "5")));
        assertInvalid("name", "name: a plan's name cannot be changed (mappings refer to it); create a plan with the new "
                + "name and delete this one with it as the replacement", () -> PlanField.edit(basic, Map.of("name", "gold")));
        assertInvalid("addOn", "addOn: cannot be changed after a plan is created; create a new plan instead",
                () -> PlanField.edit(basic, Map.of("addOn", "true")));
        assertInvalid("images", "images: does not apply to add-on plans (they only use displayName, priority and private)",
                () -> PlanField.edit(TestPlans.privateAddOn(), Map.of("images", "5")));
    }

    @Test
    void editParsesUnlimitedAndNoneAndReportsDifferences() {
        // given standard (unlimited, relax after 900)
        Plan before = TestPlans.standard();
        // when an admin caps it at 2000 images and removes the relax threshold
        Plan after = PlanField.edit(before, Map.of("images", "2000", "relaxAfter", "none", "lane", "FAST"));
        // then
        assertEquals(OptionalInt.of(2000), after.images());
        assertFalse(after.isUnlimited());
        assertEquals(OptionalInt.empty(), after.relaxAfter());
        assertEquals(List.of("images: unlimited → 2000", "relaxAfter: 900 → none"), PlanField.differences(before, after));
        // and back to unlimited
        assertTrue(PlanField.edit(after, Map.of("images", "unlimited")).isUnlimited());
    }

    @Test
    void describeListsEveryFieldInYamlSpelling() {
        assertEquals("displayName=Private, priority=0, addOn=true, private=included", PlanField.describe(TestPlans.privateAddOn()));
        assertTrue(PlanField.describe(TestPlans.standard()).contains("images=unlimited, renews=monthly, lane=fast, relaxAfter=900"));
    }

    @Test
    void toFieldsAndRestoreRoundTripEveryPlan() {
        for (Plan p : TestPlans.defaults().plans()) {
            Map<String, String> fields = PlanField.toFields(p);
            assertEquals(PlanField.values().length, fields.size());
            assertEquals(p, PlanField.restore(p.name(), fields));
        }
        assertEquals("unlimited", PlanField.toFields(TestPlans.standard()).get("images"));
        assertEquals("none", PlanField.toFields(TestPlans.basic()).get("relaxAfter"));
    }

    @Test
    void defaultsRequireAnExistingBasePlanAsDefaultAndUniqueNames() {
        assertInvalid("defaultPlan", "defaultPlan: unknown plan 'gold'; plans are basic, free, private, standard",
                () -> new PlanDefaults(TestPlans.defaults().plans(), "gold", PeriodMode.ANNIVERSARY));
        assertInvalid("defaultPlan", "defaultPlan: 'private' is an add-on plan; the default must be a base plan",
                () -> new PlanDefaults(TestPlans.defaults().plans(), "private", PeriodMode.ANNIVERSARY));
        assertInvalid("name", "name: two plans are named free",
                () -> new PlanDefaults(List.of(TestPlans.free(), TestPlans.free()), "free", PeriodMode.ANNIVERSARY));
    }
}
