package dev.easel;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.application.ConfigQuotaGate;
import dev.easel.application.FakeImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.application.QuotaServiceGate;
import dev.easel.application.SubmitImagine;
import dev.easel.config.JobsConfig;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReservationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job service wired with the plan-based quota of config/plans.yaml (H2 file database). */
class JobServicesQuotaTest {
    @TempDir
    Path dir;

    private JobsConfig config() {
        JobsConfig d = JobsConfig.fromTree(null, Map.of("EASEL_WORKER_ID", "w1"));
        return new JobsConfig(DatabaseSettings.h2File(dir.resolve("db")), dir.resolve("images"), d.generation(),
                d.variations(), d.queue(), d.worker(), d.caps());
    }

    @Test
    void theDefaultPlansApplyAndReservationsLeftOpenElsewhereAreSettledAtStartup() {
        JobsConfig config = config();
        PlanDefaults plans = JobServices.loadPlans(Path.of("config/plans.yaml"));
        Job job;
        try (JobServices services = JobServices.withPlans(config, plans, JobNotifier.NONE, Clock.systemUTC())) {
            assertInstanceOf(QuotaServiceGate.class, services.quota());
            assertTrue(services.quotaAdmin().isPresent());
            job = assertInstanceOf(SubmitImagine.Accepted.class, services.submit().submit(
                    new SubmitImagine.Request(new Owner("alice", "g1", "c1"), "a fox --size 128x128 --steps 3"))).job();
            // plans.yaml: members start on the free trial, relax lane, 1 job at a time
            assertEquals("free", job.planName());
            assertEquals(Lane.RELAX, job.lane());
            assertEquals(1, job.maxRunning());
            assertEquals(4, services.quotaService().orElseThrow().usage("g1", "alice").used());
        }
        // a process with the built-in quota runs the job: DONE, but the reservation stays open
        try (JobServices builtIn = new JobServices(config, db -> JobServices.configQuota(config), JobNotifier.NONE,
                Clock.systemUTC())) {
            assertInstanceOf(ConfigQuotaGate.class, builtIn.quota());
            assertTrue(builtIn.quotaService().isEmpty());
            builtIn.newWorker(new FakeImageGenerator(FakeImageGenerator.Options.fast()), 0, 1)
                    .runUntilIdle(Duration.ofMillis(100));
            assertEquals(JobStatus.DONE, builtIn.database().transactions()
                    .inTransaction(t -> builtIn.jobs().find(job.id(), t)).orElseThrow().status());
        }
        // the next start with plans commits it
        try (JobServices services = JobServices.withPlans(config, plans, JobNotifier.NONE, Clock.systemUTC())) {
            var quota = services.quotaService().orElseThrow();
            assertEquals(ReservationState.COMMITTED,
                    quota.reservation(new ReservationId(job.reservationId())).orElseThrow().state());
            assertEquals(4, quota.usage("g1", "alice").used());
            assertEquals(0, quota.openReservations("g1", "alice").size());
        }
    }

    @Test
    void aBrokenPlansFileIsNamedInTheError() throws IOException {
        Path file = dir.resolve("plans.yaml");
        Files.writeString(file, "defaultPlan: gold\nplans:\n  free:\n    images: 25\n    renews: never\n    lane: relax\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobServices.loadPlans(file));
        assertEquals(file + ": defaultPlan: unknown plan 'gold'; plans are free", e.getMessage());
    }
}
