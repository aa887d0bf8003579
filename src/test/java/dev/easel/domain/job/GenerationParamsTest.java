package dev.easel.domain.job;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GenerationParamsTest {
    private final GenerationParams base = GenerationParams.of("a fox", "sd15", 512, 512, 30).withSeed(42);

    @Test
    void candidatesUseConsecutiveSeedsAndOneGuidanceAtChaosZero() {
        List<Candidate> c = base.candidates();
        assertEquals(List.of(new Candidate(0, 42, 7.5), new Candidate(1, 43, 7.5), new Candidate(2, 44, 7.5),
                new Candidate(3, 45, 7.5)), c);
    }

    @Test
    void seedsWrapAround32Bits() {
        List<Candidate> c = base.withSeed(4294967294L).candidates();
        assertEquals(List.of(4294967294L, 4294967295L, 0L, 1L), c.stream().map(Candidate::seed).toList());
    }

    @Test
    void chaosSpreadsGuidanceEvenlyAroundTheBase() {
        List<Double> g = base.withChaos(100).candidates().stream().map(Candidate::guidanceScale).toList();
        assertEquals(3.75, g.get(0), 1e-12);
        assertEquals(6.25, g.get(1), 1e-12);
        assertEquals(8.75, g.get(2), 1e-12);
        assertEquals(11.25, g.get(3), 1e-12);
        List<Double> half = base.withChaos(50).candidates().stream().map(Candidate::guidanceScale).toList();
        assertEquals(5.625, half.get(0), 1e-12, "7.5 · (1 − 0.5·0.5)");
    }

    @Test
    void chaosGuidanceIsClampedToTheAllowedRange() {
        GenerationParams high = new GenerationParams("x", "", 512, 512, 20, 28, Sampler.DEFAULT, null, 100, null,
                false, 1, "m", 0, 2).withSeed(1);
        assertEquals(List.of(14.0, 30.0), high.candidates().stream().map(Candidate::guidanceScale).toList());
    }

    @Test
    void candidatesNeedASeed() {
        GenerationParams noSeed = GenerationParams.of("a fox", "sd15", 512, 512, 30);
        assertThrows(IllegalStateException.class, noSeed::candidates);
    }

    @Test
    void invalidValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.of(" ", "m", 512, 512, 30));
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.of("x", "m", 500, 512, 30));
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.of("x", "m", 512, 512, 0));
        assertThrows(IllegalArgumentException.class, () -> base.withSeed(-1));
        assertThrows(IllegalArgumentException.class, () -> base.withChaos(101));
        assertThrows(IllegalArgumentException.class, () -> base.withStrength(1.5));
        assertThrows(IllegalArgumentException.class, () -> base.withCandidateCount(0));
    }
}
