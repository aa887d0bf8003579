package dev.easel.domain.job;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class JobTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final GenerationParams params = GenerationParams.of("a fox", "sd15", 512, 512, 30).withSeed(7);

    private Job queued() {
        return Job.queued(new JobId("0123456789ab"), Owner.user("u1"), JobKind.IMAGINE, null, params, Lane.FAST,
                "free", false, "r1", 1, T0);
    }

    @Test
    void walksThroughItsLife() {
        Job running = queued().start("w1", T0.plusSeconds(1));
        assertEquals(JobStatus.RUNNING, running.status());
        assertEquals(1, running.attempts());
        assertEquals("w1", running.workerId());
        assertEquals(T0.plusSeconds(1), running.startedAt());
        Job requeued = running.requeue();
        assertEquals(JobStatus.QUEUED, requeued.status());
        assertEquals(1, requeued.attempts(), "the attempt count survives a requeue");
        Job again = requeued.start("w2", T0.plusSeconds(5));
        assertEquals(2, again.attempts());
        Job done = again.complete(List.of("a", "b", "c", "d"), "g", T0.plusSeconds(9));
        assertEquals(JobStatus.DONE, done.status());
        assertEquals(List.of("a", "b", "c", "d"), done.outputImageIds());
        assertEquals("g", done.gridImageId());
        assertEquals(T0.plusSeconds(9), done.finishedAt());
    }

    @Test
    void illegalTransitionsNameTheJobAndItsStatus() {
        Job done = queued().start("w", T0).complete(List.of("a", "b", "c", "d"), null, T0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> done.cancel(T0));
        assertEquals("cannot cancel job 0123456789ab: it is DONE", e.getMessage());
        assertThrows(IllegalStateException.class, () -> queued().complete(List.of(), null, T0));
        assertThrows(IllegalStateException.class, () -> done.start("w", T0));
        assertThrows(IllegalArgumentException.class,
                () -> queued().start("w", T0).complete(List.of("only one"), null, T0));
        assertThrows(IllegalArgumentException.class, () -> queued().fail(" ", T0));
    }

    @Test
    void modeFollowsKindAndSourceImage() {
        assertEquals(GenerationMode.TEXT_TO_IMAGE, queued().mode());
        JobId parent = new JobId("0123456789ab");
        Job upscale = Job.queued(JobId.newId(), Owner.user("u"), JobKind.UPSCALE, new Origin(parent, 2, "p/2"),
                params.withCandidateCount(1), Lane.FAST, "free", false, "r", 1, T0);
        assertEquals(GenerationMode.UPSCALE, upscale.mode());
        Job variation = Job.queued(JobId.newId(), Owner.user("u"), JobKind.VARIATION, new Origin(parent, 1, "p/1"),
                params, Lane.FAST, "free", false, "r", 1, T0);
        assertEquals(GenerationMode.IMAGE_TO_IMAGE, variation.mode());
        Job reroll = Job.queued(JobId.newId(), Owner.user("u"), JobKind.REROLL, new Origin(parent, -1, null),
                params, Lane.FAST, "free", false, "r", 1, T0);
        assertEquals(GenerationMode.TEXT_TO_IMAGE, reroll.mode());
        assertThrows(IllegalArgumentException.class, () -> Job.queued(JobId.newId(), Owner.user("u"),
                JobKind.UPSCALE, new Origin(parent, 0, null), params.withCandidateCount(1), Lane.FAST, "free",
                false, "r", 1, T0));
        assertThrows(IllegalArgumentException.class, () -> Job.queued(JobId.newId(), Owner.user("u"),
                JobKind.IMAGINE, new Origin(parent, 0, null), params, Lane.FAST, "free", false, "r", 1, T0));
    }

    @Test
    void onlyAnImagineStartsFromAnUploadedImage() {
        Job fromUpload = Job.queued(JobId.newId(), Owner.user("u"), JobKind.IMAGINE, Origin.upload("0123456789ab/upload"),
                params.withStrength(0.6), Lane.FAST, "free", false, "r", 1, T0);
        assertEquals(GenerationMode.IMAGE_TO_IMAGE, fromUpload.mode());
        assertTrue(fromUpload.origin().isUpload());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Job.queued(JobId.newId(),
                Owner.user("u"), JobKind.VARIATION, Origin.upload("0123456789ab/upload"), params, Lane.FAST, "free",
                false, "r", 1, T0));
        assertEquals("VARIATION job needs a parent", e.getMessage());
        IllegalArgumentException noImage = assertThrows(IllegalArgumentException.class, () -> new Origin(null, -1, null));
        assertTrue(noImage.getMessage().startsWith("a derived job needs its parent's id"), noImage.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Origin(null, 2, "0123456789ab/upload"));
    }

    @RepeatedTest(5)
    void jobIdsAreTwelveSafeCharacters() {
        JobId id = JobId.random(new Random());
        assertTrue(id.value().matches("[0-9a-hjkmnp-tv-z]{12}"), id.value());
        assertEquals(id, JobId.parse(id.value().toUpperCase()).orElseThrow());
    }

    @Test
    void malformedJobIdsAreRejected() {
        assertTrue(JobId.parse("0123456789a").isEmpty(), "too short");
        assertTrue(JobId.parse("0123456789ai").isEmpty(), "i is not in the alphabet");
        assertTrue(JobId.parse("0123456789a:").isEmpty());
        assertTrue(JobId.parse(null).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new JobId("x"));
    }
}
