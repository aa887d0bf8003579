package dev.easel.domain.quota;

import java.util.List;

/** The plans of config/plans.yaml, built in code, so domain tests do not depend on the YAML loader. */
public final class TestPlans {
    private TestPlans() {
    }

    public static Plan free() {
        return Plan.builder("free").displayName("Free trial").priority(0).images(25).renewal(Renewal.NEVER)
                .lane(Lane.RELAX).maxRunning(1).maxQueued(3).maxSteps(50).maxPixels(589_824).maxSide(1024)
                .maxUpscale(2).commercial(false).privateAccess(PrivateAccess.NONE).build();
    }

    public static Plan basic() {
        return Plan.builder("basic").displayName("Basic").priority(10).images(100).renewal(Renewal.MONTHLY)
                .lane(Lane.FAST).maxRunning(3).maxQueued(10).maxSteps(100).maxPixels(1_048_576).maxSide(1536)
                .maxUpscale(2).commercial(false).privateAccess(PrivateAccess.ADDON).build();
    }

    public static Plan standard() {
        return Plan.builder("standard").displayName("Standard").priority(20).unlimitedImages()
                .renewal(Renewal.MONTHLY).lane(Lane.FAST).relaxAfter(900).maxRunning(3).maxQueued(10).maxSteps(150)
                .maxPixels(1_048_576).maxSide(2048).maxUpscale(4).commercial(true)
                .privateAccess(PrivateAccess.ADDON).build();
    }

    public static Plan privateAddOn() {
        return Plan.builder("private").displayName("Private").addOn(true).privateAccess(PrivateAccess.INCLUDED).build();
    }

    public static PlanDefaults defaults() {
        return new PlanDefaults(List.of(free(), basic(), standard(), privateAddOn()), "free", PeriodMode.ANNIVERSARY);
    }

    /** The defaults with one extra plan and the given default. */
    public static PlanDefaults with(Plan extra, String defaultPlan) {
        return new PlanDefaults(List.of(free(), basic(), standard(), privateAddOn(), extra), defaultPlan,
                PeriodMode.ANNIVERSARY);
    }

    /** A public 30-step 512×512 grid (4 images), allowed on every default plan. */
    public static QuotaRequest grid() {
        return QuotaRequest.of(WorkKind.IMAGINE, 30, 512, 512);
    }
}
