package dev.easel.domain.quota;

import dev.easel.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link QuotaStore} must do: round-trip every value, roll back a failed transaction
 * completely, join nested transactions, and keep concurrent reservations exact. A store's test
 * extends this class and supplies {@link #newStore()} (a fresh, empty store per test).
 */
public abstract class QuotaStoreContract {
    protected static final String G = "100";
    protected static final String U = "200";
    protected static final String ADMIN = "1";
    private static final int THREADS = 100;

    /** A fresh, empty store. */
    protected abstract QuotaStore newStore() throws Exception;

    /** Releases what {@link #newStore()} opened. */
    protected void dispose(QuotaStore store) throws Exception {
    }

    protected QuotaStore store;
    protected final MutableClock clock = MutableClock.at("2025-03-01T00:00:00Z");

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        dispose(store);
    }

    /** A plan built for races: 100 images a month, 100 running / 1000 queued. */
    private static Plan burst() {
        return Plan.builder("burst").displayName("Burst").priority(5).images(100).renewal(Renewal.MONTHLY)
                .lane(Lane.FAST).maxRunning(100).maxQueued(1000).build();
    }

    private boolean bool(java.util.function.Function<QuotaTx, Boolean> work) {
        return store.inTransaction(work);
    }

    private QuotaService service(PlanDefaults defaults) {
        return new QuotaService(store, clock, defaults);
    }

    private static QuotaRequest oneImage() {
        return TestPlans.grid().withImages(1);
    }

    // ---- round trips and transactions ---------------------------------------------------------

    @Test
    public void createGuildIsIdempotent() {
        GuildSettings s = new GuildSettings(G, "free", PeriodMode.CALENDAR, clock.instant());
        assertTrue(bool(tx -> tx.createGuild(s, TestPlans.defaults().plans())));
        GuildSettings other = new GuildSettings(G, "basic", PeriodMode.ANNIVERSARY, clock.instant());
        assertFalse(bool(tx -> tx.createGuild(other, List.of(burst()))));
        assertEquals(Optional.of(s), store.inTransaction(tx -> tx.guild(G)));
        assertEquals(s, store.inTransaction(tx -> tx.lockGuild(G)));
        assertEquals(Set.copyOf(TestPlans.defaults().plans()), Set.copyOf(store.inTransaction(tx -> tx.plans(G))));
        assertEquals(Optional.empty(), store.inTransaction(tx -> tx.guild("101")));
    }

    @Test
    public void plansRoundTripWithEveryField() {
        store.inTransaction(tx -> tx.createGuild(new GuildSettings(G, "free", PeriodMode.ANNIVERSARY, clock.instant()),
                List.of(TestPlans.free())));
        Plan odd = Plan.builder("odd-plan_2").displayName("Odd “plan” ✓").priority(-7).images(0)
                .renewal(Renewal.NEVER).lane(Lane.FAST).relaxAfter(0).maxRunning(2).maxQueued(999).maxSteps(1)
                .maxPixels(Integer.MAX_VALUE).maxSide(16_384).maxUpscale(0).commercial(true)
                .privateAccess(PrivateAccess.INCLUDED).build();
        store.inTransaction(tx -> {
            tx.savePlan(G, TestPlans.standard());
            tx.savePlan(G, TestPlans.privateAddOn());
            tx.savePlan(G, odd);
            return null;
        });
        assertEquals(Set.of(TestPlans.free(), TestPlans.standard(), TestPlans.privateAddOn(), odd),
                Set.copyOf(store.inTransaction(tx -> tx.plans(G))));
        Plan changed = odd.toBuilder().unlimitedImages().noRelaxAfter().build();
        store.inTransaction(tx -> {
            tx.savePlan(G, changed);
            return null;
        });
        assertTrue(store.inTransaction(tx -> tx.plans(G)).contains(changed));
        assertTrue(bool(tx -> tx.deletePlan(G, "odd-plan_2")));
        assertFalse(bool(tx -> tx.deletePlan(G, "odd-plan_2")));
        assertEquals(3, store.inTransaction(tx -> tx.plans(G)).size());
        store.inTransaction(tx -> {
            tx.saveGuild(new GuildSettings(G, "standard", PeriodMode.CALENDAR, clock.instant()));
            return null;
        });
        assertEquals("standard", store.inTransaction(tx -> tx.guild(G)).orElseThrow().defaultPlan());
    }

    @Test
    public void mappingsAndAssignmentsRoundTrip() {
        store.inTransaction(tx -> {
            tx.mapRole(G, "501", "basic");
            tx.mapRole(G, "501", "standard");
            tx.mapRole(G, "502", "basic");
            tx.mapRole("101", "503", "basic");
            tx.mapSku(G, "701", "basic");
            return null;
        });
        assertEquals(Map.of("501", "standard", "502", "basic"), store.inTransaction(tx -> tx.roleMappings(G)));
        assertEquals(Map.of("701", "basic"), store.inTransaction(tx -> tx.skuMappings(G)));
        assertTrue(bool(tx -> tx.unmapRole(G, "502")));
        assertFalse(bool(tx -> tx.unmapRole(G, "502")));
        assertTrue(bool(tx -> tx.unmapSku(G, "701")));
        assertFalse(bool(tx -> tx.unmapSku(G, "701")));
        assertEquals(Map.of("501", "standard"), store.inTransaction(tx -> tx.roleMappings(G)));

        Assignment forever = new Assignment(G, U, "basic", ADMIN, Instant.parse("2025-03-01T10:00:00Z"), Optional.empty());
        Assignment until = new Assignment(G, U, "private", ADMIN, Instant.parse("2025-03-01T10:00:00Z"),
                Optional.of(Instant.parse("2025-04-01T00:00:00Z")));
        Assignment other = new Assignment(G, "201", "basic", "2", Instant.parse("2025-03-02T00:00:00Z"), Optional.empty());
        store.inTransaction(tx -> {
            tx.saveAssignment(forever);
            tx.saveAssignment(until);
            tx.saveAssignment(other);
            return null;
        });
        assertEquals(Set.of(forever, until), Set.copyOf(store.inTransaction(tx -> tx.assignments(G, U))));
        assertEquals(Set.of(forever, other), Set.copyOf(store.inTransaction(tx -> tx.assignmentsOfPlan(G, "basic"))));
        Assignment extended = new Assignment(G, U, "basic", "3", Instant.parse("2025-03-05T00:00:00Z"),
                Optional.of(Instant.parse("2026-01-01T00:00:00Z")));
        store.inTransaction(tx -> {
            tx.saveAssignment(extended);
            return null;
        });
        assertEquals(Set.of(extended, until), Set.copyOf(store.inTransaction(tx -> tx.assignments(G, U))));
        assertTrue(bool(tx -> tx.deleteAssignment(G, U, "private")));
        assertFalse(bool(tx -> tx.deleteAssignment(G, U, "private")));
        assertEquals(List.of(extended), store.inTransaction(tx -> tx.assignments(G, U)));
    }

    @Test
    public void accountsMetersReservationsAndAuditRoundTrip() {
        // accounts: created fresh by lockAccount, then saved with every field
        assertEquals(Optional.empty(), store.inTransaction(tx -> tx.account(G, U)));
        assertEquals(Account.fresh(G, U), store.inTransaction(tx -> tx.lockAccount(G, U)));
        assertEquals(Optional.of(Account.fresh(G, U)), store.inTransaction(tx -> tx.account(G, U)));
        Account full = new Account(G, U, 17, new Subscription("basic", Instant.parse("2025-01-31T10:00:00Z")),
                Set.of("501", "502"), Set.of("701"), false);
        store.inTransaction(tx -> {
            tx.lockAccount(G, U);
            tx.saveAccount(full);
            return null;
        });
        assertEquals(full, store.inTransaction(tx -> tx.lockAccount(G, U)));

        // meters keyed by plan and period
        Meter trial = new Meter(G, U, "free", Instant.EPOCH, 20, 4);
        Meter march = new Meter(G, U, "basic", Instant.parse("2025-03-01T00:00:00Z"), 40, 0);
        store.inTransaction(tx -> {
            tx.saveMeter(trial);
            tx.saveMeter(march);
            tx.saveMeter(new Meter(G, "201", "basic", march.periodStart(), 1, 1));
            return null;
        });
        assertEquals(Optional.of(trial), store.inTransaction(tx -> tx.meter(G, U, "free", Instant.EPOCH)));
        assertEquals(Optional.empty(), store.inTransaction(tx -> tx.meter(G, U, "basic", Instant.EPOCH)));
        assertEquals(Set.of(trial, march), Set.copyOf(store.inTransaction(tx -> tx.meters(G, U))));
        store.inTransaction(tx -> {
            tx.saveMeter(march.with(41, 3));
            return null;
        });
        assertEquals(Optional.of(march.with(41, 3)), store.inTransaction(tx -> tx.meter(G, U, "basic", march.periodStart())));

        // reservations: open ones oldest first, settled ones left out
        Reservation a = reservation("a", Instant.parse("2025-03-01T00:00:01Z"), ReservationState.RUNNING);
        Reservation b = reservation("b", Instant.parse("2025-03-01T00:00:02Z"), ReservationState.QUEUED);
        Reservation c = reservation("c", Instant.parse("2025-03-01T00:00:00Z"), ReservationState.QUEUED);
        store.inTransaction(tx -> {
            tx.insertReservation(b);
            tx.insertReservation(a);
            tx.insertReservation(c);
            return null;
        });
        assertEquals(List.of(c, a, b), store.inTransaction(tx -> tx.openReservations(G, U)));
        Reservation settled = c.withState(ReservationState.COMMITTED, 3, Instant.parse("2025-03-01T01:00:00Z"));
        store.inTransaction(tx -> {
            tx.updateReservation(settled);
            return null;
        });
        assertEquals(Optional.of(settled), store.inTransaction(tx -> tx.reservation(c.id())));
        assertEquals(List.of(a, b), store.inTransaction(tx -> tx.openReservations(G, U)));
        assertEquals(List.of(), store.inTransaction(tx -> tx.openReservations(G, "201")));
        assertThrows(RuntimeException.class, () -> store.inTransaction(tx -> {
            tx.insertReservation(a);
            return null;
        }), "a reservation id is unique");

        // audit: increasing sequence, newest first, per guild, limited
        List<AuditEntry> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String guild = i == 2 ? "101" : G;
            AuditEntry e = new AuditEntry(0, guild, ADMIN, Instant.parse("2025-03-01T00:00:00Z").plusSeconds(i),
                    AuditAction.BONUS_GRANTED, "user " + i, "bonus: 0 → " + i + " (+" + i + ")");
            stored.add(store.inTransaction(tx -> tx.appendAudit(e)));
        }
        for (int i = 1; i < stored.size(); i++) {
            assertTrue(stored.get(i).sequence() > stored.get(i - 1).sequence(), "sequence increases");
        }
        assertEquals(List.of(stored.get(4), stored.get(3)), store.inTransaction(tx -> tx.audit(G, 2)));
        assertEquals(List.of(stored.get(4), stored.get(3), stored.get(1), stored.get(0)), store.inTransaction(tx -> tx.audit(G, 10)));
        assertEquals(List.of(stored.get(2)), store.inTransaction(tx -> tx.audit("101", 10)));
    }

    private static Reservation reservation(String id, Instant at, ReservationState state) {
        return new Reservation(new ReservationId(id), G, U, "basic", Instant.parse("2025-03-01T00:00:00Z"), Lane.FAST,
                3, 1, 3, state, 0, at, at);
    }

    @Test
    public void aFailedTransactionLeavesNoTrace() {
        store.inTransaction(tx -> tx.createGuild(new GuildSettings(G, "free", PeriodMode.ANNIVERSARY, clock.instant()),
                List.of(TestPlans.free())));
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
            tx.createGuild(new GuildSettings("101", "free", PeriodMode.ANNIVERSARY, clock.instant()), List.of(TestPlans.free()));
            tx.saveGuild(new GuildSettings(G, "free", PeriodMode.CALENDAR, clock.instant()));
            tx.savePlan(G, TestPlans.basic());
            tx.deletePlan(G, "free");
            tx.mapRole(G, "501", "basic");
            tx.mapSku(G, "701", "basic");
            tx.saveAssignment(new Assignment(G, U, "basic", ADMIN, clock.instant(), Optional.empty()));
            tx.saveAccount(tx.lockAccount(G, U).withBonus(50));
            tx.saveMeter(new Meter(G, U, "basic", Instant.EPOCH, 1, 2));
            tx.insertReservation(reservation("r", clock.instant(), ReservationState.QUEUED));
            tx.appendAudit(new AuditEntry(0, G, ADMIN, clock.instant(), AuditAction.USAGE_RESET, "user 200", "x"));
            throw boom;
        }));
        assertEquals(boom, thrown, "the work's exception propagates");
        store.inTransaction(tx -> {
            assertEquals(Optional.empty(), tx.guild("101"));
            assertEquals(PeriodMode.ANNIVERSARY, tx.guild(G).orElseThrow().periodMode());
            assertEquals(List.of(TestPlans.free()), tx.plans(G));
            assertEquals(Map.of(), tx.roleMappings(G));
            assertEquals(Map.of(), tx.skuMappings(G));
            assertEquals(List.of(), tx.assignments(G, U));
            assertEquals(Optional.empty(), tx.account(G, U));
            assertEquals(List.of(), tx.meters(G, U));
            assertEquals(Optional.empty(), tx.reservation(new ReservationId("r")));
            assertEquals(List.of(), tx.audit(G, 10));
            return null;
        });
    }

    @Test
    public void aNestedTransactionJoinsTheOuterOne() {
        assertThrows(IllegalStateException.class, () -> store.inTransaction(outer -> {
            outer.saveAccount(outer.lockAccount(G, U).withBonus(5));
            int seen = store.inTransaction(inner -> {
                inner.saveMeter(new Meter(G, U, "free", Instant.EPOCH, 3, 0));
                return inner.account(G, U).orElseThrow().bonusImages();
            });
            assertEquals(5, seen, "the inner call sees the outer call's writes");
            throw new IllegalStateException("outer fails");
        }));
        assertEquals(Optional.empty(), store.inTransaction(tx -> tx.account(G, U)));
        assertEquals(List.of(), store.inTransaction(tx -> tx.meters(G, U)), "the inner call's writes are rolled back too");
    }

    @Test
    public void adminRejectionsRollBackAndServicesWorkOnTheStore() {
        QuotaAdmin admin = new QuotaAdmin(store, clock, TestPlans.defaults());
        assertInstanceOf(AdminResult.Rejected.class, admin.editPlan(ADMIN, G, "basic", Map.of("images", "-1")));
        assertEquals(TestPlans.basic(), admin.plans(G).stream().filter(p -> p.name().equals("basic")).findFirst().orElseThrow());
        assertInstanceOf(AdminResult.Done.class, admin.deletePlan(ADMIN, G, "free", Optional.of("basic")));
        assertEquals("basic", admin.config(G).settings().defaultPlan());
        QuotaService quota = service(TestPlans.defaults());
        Granted g = assertInstanceOf(Granted.class, quota.reserve(Member.of(G, U), TestPlans.grid()));
        assertEquals(OptionalInt.of(96), g.remaining().planImages());
        assertEquals(1, admin.auditLog(G, 10).size());
    }

    // ---- concurrency --------------------------------------------------------------------------

    /** Runs {@code task(i)} for i in [0, n) on n threads released at once; returns the results in index order. */
    private static <T> List<T> race(int n, IntFunction<T> task) throws InterruptedException {
        List<T> results = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(n, null)));
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    results.set(index, task.apply(index));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "quota-race-" + i);
            threads.add(t);
            t.start();
        }
        assertTrue(ready.await(10, TimeUnit.SECONDS));
        go.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
            assertFalse(t.isAlive(), t.getName() + " did not finish");
        }
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(errors.size() + " of " + n + " threads failed");
            errors.forEach(e::addSuppressed);
            throw e;
        }
        return results;
    }

    private static long count(List<? extends ReserveResult> results, Class<?> type) {
        return results.stream().filter(type::isInstance).count();
    }

    @Test
    @Timeout(20)
    public void hundredConcurrentReservationsForTheLastTenImagesGrantExactlyTen() throws Exception {
        QuotaService quota = service(TestPlans.with(burst(), "burst"));
        // three rounds, each with a new member, to give a racy store three chances to show it
        for (int round = 0; round < 3; round++) {
            // given a member with 10 of 100 images left
            String user = "20" + round;
            Member m = Member.of(G, user);
            quota.commit(assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid().withImages(90))).reservationId());
            // when 100 threads each reserve one image at once
            List<ReserveResult> results = race(THREADS, i -> quota.reserve(m, oneImage()));
            // then exactly 10 are granted, the rest refused for quota, and the meter agrees
            assertEquals(10, count(results, Granted.class), "round " + round);
            assertEquals(90, results.stream()
                    .filter(r -> r instanceof Denied d && d.reason() == DenialReason.QUOTA_EXHAUSTED).count());
            Usage u = quota.usage(m);
            assertEquals(100, u.used());
            assertEquals(OptionalInt.of(0), u.remaining().planImages());
            assertEquals(10, quota.openReservations(G, user).size());
            assertEquals(10, results.stream().filter(Granted.class::isInstance).map(r -> ((Granted) r).reservationId())
                    .distinct().count());
        }
    }

    @Test
    @Timeout(20)
    public void concurrentReservationsSpendTheBonusExactlyOnce() throws Exception {
        // given a member with no plan images left and 10 bonus images
        QuotaService quota = service(TestPlans.with(burst(), "burst"));
        Member m = Member.of(G, U);
        quota.commit(assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid().withImages(100))).reservationId());
        new QuotaAdmin(store, clock, TestPlans.with(burst(), "burst")).grantBonus(ADMIN, G, U, 10);
        // when 100 threads reserve one image each
        List<ReserveResult> results = race(THREADS, i -> quota.reserve(m, oneImage()));
        // then 10 are granted from the bonus and none is left
        assertEquals(10, count(results, Granted.class));
        assertEquals(0, quota.usage(m).bonus());
    }

    @Test
    @Timeout(20)
    public void concurrentReservationsRespectTheQueueCap() throws Exception {
        Plan capped = burst().toBuilder().name("capped").unlimitedImages().maxRunning(2).maxQueued(5).build();
        QuotaService quota = service(TestPlans.with(capped, "capped"));
        Member m = Member.of(G, U);
        List<ReserveResult> results = race(THREADS, i -> quota.reserve(m, oneImage()));
        assertEquals(5, count(results, Granted.class));
        assertEquals(95, results.stream().filter(r -> r instanceof Denied d && d.reason() == DenialReason.TOO_MANY_QUEUED).count());
        assertEquals(5, quota.usage(m).queued());
    }

    @Test
    @Timeout(20)
    public void concurrentStartsRespectTheRunningCap() throws Exception {
        Plan capped = burst().toBuilder().name("capped").maxRunning(3).maxQueued(20).build();
        QuotaService quota = service(TestPlans.with(capped, "capped"));
        Member m = Member.of(G, U);
        List<ReservationId> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(assertInstanceOf(Granted.class, quota.reserve(m, oneImage())).reservationId());
        }
        List<StartResult> results = race(10, i -> quota.markRunning(ids.get(i)));
        assertEquals(3, results.stream().filter(Started.class::isInstance).count());
        assertEquals(7, results.stream().filter(r -> r instanceof Denied d && d.reason() == DenialReason.TOO_MANY_RUNNING).count());
        Usage u = quota.usage(m);
        assertEquals(3, u.running());
        assertEquals(7, u.queued());
    }

    @Test
    @Timeout(20)
    public void concurrentSettlementsOfOneReservationCountOnce() throws Exception {
        // given a reservation of 2 plan images and 2 bonus images
        QuotaService quota = service(TestPlans.with(burst(), "burst"));
        Member m = Member.of(G, U);
        quota.commit(assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid().withImages(98))).reservationId());
        new QuotaAdmin(store, clock, TestPlans.with(burst(), "burst")).grantBonus(ADMIN, G, U, 5);
        ReservationId id = assertInstanceOf(Granted.class, quota.reserve(m, TestPlans.grid())).reservationId();
        // when 50 threads commit it (all 4) and 50 refund it, at once
        List<Reservation> results = race(THREADS, i -> i % 2 == 0 ? quota.commit(id) : quota.refund(id));
        // then exactly one settlement happened and every caller sees it
        Reservation r = quota.reservation(id).orElseThrow();
        assertTrue(results.stream().allMatch(x -> x.state() == r.state()));
        Usage u = quota.usage(m);
        if (r.state() == ReservationState.COMMITTED) {
            assertEquals(100, u.used());
            assertEquals(3, u.bonus());
        } else {
            assertEquals(ReservationState.REFUNDED, r.state());
            assertEquals(98, u.used());
            assertEquals(5, u.bonus());
        }
        assertEquals(List.of(), quota.openReservations(G, U));
    }

    @Test
    @Timeout(20)
    public void concurrentFirstUseOfAGuildCreatesItOnceAndMembersDoNotShareCounts() throws Exception {
        QuotaService quota = service(TestPlans.defaults());
        // when 100 different members of a new guild reserve at once
        List<ReserveResult> results = race(THREADS, i -> quota.reserve(Member.of(G, "u" + i), TestPlans.grid()));
        // then all are granted with their own full trial, and the guild has the default plans once
        assertEquals(THREADS, count(results, Granted.class));
        assertTrue(results.stream().allMatch(r -> ((Granted) r).remaining().equals(Remaining.of(21, 0))));
        assertEquals(Set.copyOf(TestPlans.defaults().plans()), Set.copyOf(store.inTransaction(tx -> tx.plans(G))));
        assertEquals(4, store.inTransaction(tx -> tx.plans(G)).size());
    }
}
