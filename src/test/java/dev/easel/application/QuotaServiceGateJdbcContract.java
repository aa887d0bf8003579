package dev.easel.application;

import dev.easel.adapter.persistence.DatabaseSettings;
import dev.easel.adapter.persistence.JdbcQuotaStore;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.quota.Granted;
import dev.easel.domain.quota.Member;
import dev.easel.testing.MutableClock;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.PlanDefaults;
import dev.easel.domain.quota.QuotaAdmin;
import dev.easel.domain.quota.QuotaMessages;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.Renewal;
import dev.easel.domain.quota.Reservation;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReservationState;
import dev.easel.domain.quota.TestPlans;
import dev.easel.domain.quota.Usage;
import dev.easel.testing.JobKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job service with the plan-based quota on the quota tables of its own database: reservation and job are one
 * transaction, and the worker's DONE/FAILED settles the reservation. Subclasses say which database. Plans: the
 * defaults plus "tiny" (8 images a month, fast, 2 running / 10 queued), the default plan here.
 */
abstract class QuotaServiceGateJdbcContract {
    private static final String GUILD = "g1";

    @TempDir
    Path dir;
    private final MutableClock quotaClock = MutableClock.at("2025-03-01T12:00:00Z");
    private JobKit kit;
    private JdbcQuotaStore store;
    private QuotaService quota;
    private QuotaAdmin admin;

    /** The database under test; its tables are emptied before each test. */
    protected abstract DatabaseSettings settings();

    private static Plan tiny() {
        return Plan.builder("tiny").displayName("Tiny").images(8).renewal(Renewal.MONTHLY)
                .lane(dev.easel.domain.quota.Lane.FAST).maxRunning(2).maxQueued(10).build();
    }

    @BeforeEach
    void open() throws SQLException {
        PlanDefaults plans = TestPlans.with(tiny(), "tiny");
        kit = new JobKit(settings(), dir.resolve("images"), db -> {
            store = db.quotaStore();
            quota = new QuotaService(store, quotaClock, plans);
            admin = new QuotaAdmin(store, quotaClock, plans);
            return new QuotaServiceGate(quota, 2);
        });
        try (Connection c = kit.db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("job_images", "jobs", "quota_guilds", "quota_plans", "quota_role_plans",
                    "quota_sku_plans", "quota_assignments", "quota_accounts", "quota_meters", "quota_reservations",
                    "quota_audit")) {
                s.execute("DELETE FROM " + table);
            }
        }
    }

    @AfterEach
    void close() {
        kit.close();
    }

    private SubmitImagine.Result submit(String user, String prompt) {
        return kit.submit.submit(new SubmitImagine.Request(new Owner(user, GUILD, "c1"), prompt));
    }

    private Job accepted(String user, String prompt) {
        return assertInstanceOf(SubmitImagine.Accepted.class, submit(user, prompt)).job();
    }

    /** Runs every queued job ("boom" prompts fail) with this quota, until idle. */
    private void work(QuotaGate gate) {
        new JobWorker(JobKit.fastWorker("w1"), kit.queue, kit.jobs, kit.tx, new ScriptedGenerator(
                new FakeImageGenerator(new FakeImageGenerator.Options(Duration.ZERO, 8, 99))), kit.images,
                kit.notifier, gate, kit.cancels, kit.signal, kit.clock).runUntilIdle(Duration.ofMillis(50));
    }

    private Reservation reservation(Job job) {
        return quota.reservation(new ReservationId(job.reservationId())).orElseThrow();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = kit.db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aGrantedSubmissionStoresTheJobWithItsReservationPlanAndLane() throws SQLException {
        Job job = accepted("alice", "a fox --size 128x128 --steps 4");
        assertEquals(job, kit.reload(job.id()));
        assertEquals("tiny", job.planName());
        assertEquals(Lane.FAST, job.lane());
        assertEquals(2, job.maxRunning());
        Reservation r = reservation(job);
        assertEquals(ReservationState.QUEUED, r.state());
        assertEquals(4, r.planImages());
        assertEquals(1, count("SELECT COUNT(*) FROM jobs WHERE reservation_id = '" + job.reservationId() + "'"));
    }

    @Test
    void aDeniedReservationStoresNoJob() {
        for (int i = 0; i < 2; i++) {
            accepted("alice", "fox " + i + " --size 128x128");
        }
        // when the 8 images of the month are reserved, a third grid is refused with the plan and its renewal
        SubmitImagine.Denied denied = assertInstanceOf(SubmitImagine.Denied.class,
                submit("alice", "one more --size 128x128"));
        Usage u = quota.usage(GUILD, "alice");
        assertEquals("Your Tiny plan's 8 images for this period are used up. It renews on "
                + QuotaMessages.when(u.period().renewsAt().orElseThrow()) + ".", denied.reason());
        // then only the two granted jobs exist, each with its reservation
        assertEquals(2, kit.list.list("alice", 10).size());
        assertEquals(2, quota.openReservations(GUILD, "alice").size());
        assertEquals(8, u.used());
    }

    @Test
    void aJobInsertFailureAfterAGrantedReservationRollsTheReservationBack() throws SQLException {
        JobRepository failingInsert = (JobRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {JobRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("insert")) {
                        throw new RepositoryException("disk full", null);
                    }
                    try {
                        return method.invoke(kit.jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        JobIntake intake = new JobIntake(failingInsert, kit.quota, kit.tx, kit.queue, kit.signal, kit.clock);
        SubmitImagine failing = new SubmitImagine(new PromptParser(PromptParser.Settings.sd15("sd15")), intake,
                new SplittableRandom(7));
        assertThrows(RepositoryException.class, () -> failing.submit(
                new SubmitImagine.Request(new Owner("alice", GUILD, "c1"), "a fox --size 128x128")));
        // nothing charged, nothing reserved, not even the account or the guild created by the reservation
        assertEquals(0, count("SELECT COUNT(*) FROM quota_reservations"));
        assertEquals(0, count("SELECT COUNT(*) FROM quota_meters"));
        assertEquals(0, count("SELECT COUNT(*) FROM quota_accounts"));
        assertEquals(0, count("SELECT COUNT(*) FROM quota_guilds"));
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
        // and the same submission goes through once the insert works
        accepted("alice", "a fox --size 128x128");
        assertEquals(4, quota.usage(GUILD, "alice").used());
    }

    @Test
    void aDoneJobCommitsItsReservationAndAFailedOneRefundsIt() {
        Job fox = accepted("alice", "a fox --size 128x128 --steps 3");
        Job boom = accepted("alice", "boom --size 128x128 --steps 3");
        work(kit.quota);

        assertEquals(JobStatus.DONE, kit.reload(fox.id()).status());
        assertEquals(JobStatus.FAILED, kit.reload(boom.id()).status());
        Reservation done = reservation(fox);
        assertEquals(ReservationState.COMMITTED, done.state());
        assertEquals(4, done.committedImages());
        assertEquals(ReservationState.REFUNDED, reservation(boom).state());
        Usage u = quota.usage(GUILD, "alice");
        assertEquals(4, u.used(), "only the delivered grid counts");
        assertEquals(0, u.queued() + u.running());
    }

    @Test
    void reservationsWhoseJobEndedOrVanishedAreSettledAtStartup() {
        Job fox = accepted("alice", "a fox --size 128x128 --steps 3");
        Job boom = accepted("alice", "boom --size 128x128 --steps 3");
        ReservationId lonely = assertInstanceOf(Granted.class, quota.reserve(Member.of(GUILD, "bob"),
                TestPlans.grid())).reservationId();
        // a worker running the built-in quota on the same database ends the jobs but settles nothing
        work(new ConfigQuotaGate("everyone", Lane.FAST, 3, 10));
        assertEquals(8, quota.usage(GUILD, "alice").used(), "both grids still reserved");

        assertEquals(Set.of(new JdbcQuotaStore.Unsettled(new ReservationId(fox.reservationId()),
                        Optional.of(JobStatus.DONE)),
                new JdbcQuotaStore.Unsettled(new ReservationId(boom.reservationId()), Optional.of(JobStatus.FAILED)),
                new JdbcQuotaStore.Unsettled(lonely, Optional.empty())), Set.copyOf(store.unsettledReservations()));
        assertEquals(3, store.settleUnsettled(quota));
        assertEquals(ReservationState.COMMITTED, reservation(fox).state());
        assertEquals(ReservationState.REFUNDED, reservation(boom).state());
        assertEquals(ReservationState.REFUNDED, quota.reservation(lonely).orElseThrow().state());
        assertEquals(4, quota.usage(GUILD, "alice").used());
        assertEquals(0, quota.usage(GUILD, "bob").used());
        assertEquals(List.of(), store.unsettledReservations());
    }

    @Test
    void rolesReportedWithTheSubmissionChooseThePlanStoredWithTheJob() {
        admin.mapRole("1", GUILD, "501", "basic");
        admin.mapRole("1", GUILD, "502", "private");
        Job job = assertInstanceOf(SubmitImagine.Accepted.class, kit.submit.submit(
                new SubmitImagine.Request(new Owner("alice", GUILD, "c1"), "a fox --size 128x128",
                        new Membership(Set.of("501", "502"), Set.of())))).job();
        assertEquals("basic", job.planName());
        assertEquals(3, job.maxRunning());
        assertTrue(job.privateResult(), "basic with the private add-on");
        assertEquals(job, kit.reload(job.id()));
    }

    @Test
    void concurrentSubmissionsForTheLastImagesEnqueueExactlyAsManyJobs() throws Exception {
        // given a member with 8 images a month (2 grids), when 12 submit at once
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<SubmitImagine.Result>> results = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                int n = i;
                Callable<SubmitImagine.Result> task = () -> {
                    go.await();
                    return submit("alice", "fox " + n + " --size 128x128");
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            int accepted = 0;
            for (Future<SubmitImagine.Result> f : results) {
                if (f.get(15, TimeUnit.SECONDS) instanceof SubmitImagine.Accepted) {
                    accepted++;
                }
            }
            // then exactly two are queued, each with its own reservation
            assertEquals(2, accepted);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, kit.list.list("alice", 20).size());
        assertEquals(2, quota.openReservations(GUILD, "alice").size());
        assertEquals(8, quota.usage(GUILD, "alice").used());
    }
}
