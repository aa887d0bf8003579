package dev.easel.domain.quota;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decides who may generate how much, how fast, and whether results are private.
 *
 * <h2>Life of a reservation</h2>
 * {@link #reserve} takes the job's images from the member's allowance at once (so concurrent
 * requests can never be granted more than is left) and returns a QUEUED reservation;
 * {@link #markRunning} moves it to RUNNING when the worker starts the job (refused while the member
 * already runs {@code maxRunning} jobs); {@link #commit} charges the images delivered (possibly fewer
 * than reserved; the rest is given back); {@link #refund} gives everything back. Settling a
 * reservation twice is a no-op: the first commit or refund wins.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Checks run in this order, the first failure is the answer: steps, size (width × height ≤
 *       maxPixels and both sides ≤ maxSide), upscale factor, private result, maxQueued (queued +
 *       running jobs), images.</li>
 *   <li>Images come from the plan's allowance first and from the bonus only when the plan's images
 *       for the period are used up; one job may take from both. Unlimited plans never touch the
 *       bonus. Bonus images never expire. On a partial commit, the undelivered images go back to the
 *       bonus first (the last spent), then to the plan.</li>
 *   <li>Lane: a relax plan always runs in the relax lane; a fast plan runs fast while the images
 *       used this period before the job are fewer than relaxAfter (so a job that crosses the
 *       threshold still runs fast), and relax from then on.</li>
 *   <li>Periods: see {@link PeriodMode} and {@link Period}. A reservation stays charged to the period
 *       it was made in, even if it is committed or refunded after the renewal.</li>
 *   <li>Usage is counted per plan: a member who moves to another plan starts that plan's count
 *       (a trial stays used up for life even after a paid spell).</li>
 * </ul>
 * Every method runs in one store transaction; see {@link QuotaStore} for the locking contract.
 */
public final class QuotaService {
    private final QuotaStore store;
    private final Clock clock;
    private final Guilds guilds;

    public QuotaService(QuotaStore store, Clock clock, PlanDefaults defaults) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.guilds = new Guilds(defaults);
    }

    /** Reserves the request's images for the member, or says why not. Records the member's roles and SKUs. */
    public ReserveResult reserve(Member member, QuotaRequest request) {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(request, "request");
        return store.inTransaction(tx -> {
            Instant now = clock.instant();
            Context c = context(tx, member, now);
            Plan p = c.resolution.plan();

            if (request.steps() > p.maxSteps()) {
                return new Denied(DenialReason.STEPS_NOT_ALLOWED, QuotaMessages.stepsNotAllowed(p, request.steps()));
            }
            long pixels = (long) request.width() * request.height();
            if (pixels > p.maxPixels() || Math.max(request.width(), request.height()) > p.maxSide()) {
                return new Denied(DenialReason.SIZE_NOT_ALLOWED,
                        QuotaMessages.sizeNotAllowed(p, request.width(), request.height()));
            }
            if (request.upscaleFactor() > p.maxUpscale()) {
                return new Denied(DenialReason.UPSCALE_NOT_ALLOWED,
                        QuotaMessages.upscaleNotAllowed(p, request.upscaleFactor()));
            }
            if (request.privateResult() && !c.resolution.privateResults()) {
                return new Denied(DenialReason.PRIVATE_NOT_ALLOWED, QuotaMessages.privateNotAllowed(p));
            }
            List<Reservation> open = tx.openReservations(member.guildId(), member.userId());
            if (open.size() >= p.maxQueued()) {
                return new Denied(DenialReason.TOO_MANY_QUEUED, QuotaMessages.tooManyQueued(p, open.size()));
            }

            Meter meter = c.meter;
            int cost = request.images();
            int bonus = c.account.bonusImages();
            int fromPlan;
            int fromBonus;
            Remaining after;
            if (p.isUnlimited()) {
                fromPlan = cost;
                fromBonus = 0;
                after = Remaining.unlimited(bonus);
            } else {
                int planLeft = Math.max(0, p.images().getAsInt() - meter.used());
                fromPlan = Math.min(cost, planLeft);
                fromBonus = cost - fromPlan;
                if (fromBonus > bonus) {
                    return p.renewal() == Renewal.NEVER
                            ? new Denied(DenialReason.TRIAL_OVER, QuotaMessages.trialOver(p, planLeft, bonus, cost))
                            : new Denied(DenialReason.QUOTA_EXHAUSTED, QuotaMessages.quotaExhausted(p, planLeft, bonus,
                            cost, c.period.renewsAt().orElseThrow()));
                }
                after = Remaining.of(planLeft - fromPlan, bonus - fromBonus);
            }
            Lane lane = Guilds.lane(p, meter.used());
            Reservation r = new Reservation(ReservationId.random(), member.guildId(), member.userId(), p.name(),
                    c.period.meterKey(), lane, fromPlan, fromBonus, p.maxRunning(), ReservationState.QUEUED, 0, now, now);
            tx.insertReservation(r);
            tx.saveMeter(meter.with(meter.committed(), meter.pending() + fromPlan));
            if (fromBonus > 0) {
                tx.saveAccount(c.account.withBonus(bonus - fromBonus));
            }
            return new Granted(r.id(), lane, p, after);
        });
    }

    /**
     * Moves a QUEUED reservation to RUNNING, unless the member already runs as many jobs as the plan
     * allowed when the job was reserved (then {@link Denied} with TOO_MANY_RUNNING; the job stays
     * queued). Starting a RUNNING reservation again returns it unchanged.
     *
     * @throws IllegalArgumentException for an unknown id
     * @throws IllegalStateException    for a reservation already committed or refunded
     */
    public StartResult markRunning(ReservationId id) {
        return store.inTransaction(tx -> {
            Reservation r = lockReservation(tx, id);
            if (r.state() == ReservationState.RUNNING) {
                return new Started(r);
            }
            if (!r.state().isOpen()) {
                throw new IllegalStateException("reservation " + id + " is already "
                        + r.state().name().toLowerCase(Locale.ROOT) + "; it cannot start");
            }
            long running = tx.openReservations(r.guildId(), r.userId()).stream()
                    .filter(o -> o.state() == ReservationState.RUNNING).count();
            if (running >= r.maxRunning()) {
                String planName = tx.plans(r.guildId()).stream().filter(p -> p.name().equals(r.plan()))
                        .map(Plan::displayName).findFirst().orElse(r.plan());
                return new Denied(DenialReason.TOO_MANY_RUNNING, QuotaMessages.tooManyRunning(planName, (int) running));
            }
            Reservation started = r.withState(ReservationState.RUNNING, 0, clock.instant());
            tx.updateReservation(started);
            return new Started(started);
        });
    }

    /** Commits every reserved image (the job delivered all of them). */
    public Reservation commit(ReservationId id) {
        return store.inTransaction(tx -> commit(tx, id, OptionalInt.empty()));
    }

    /**
     * Commits {@code delivered} images (0 to the number reserved); the rest goes back, to the bonus
     * first, then to the plan. A reservation already settled is returned unchanged.
     */
    public Reservation commit(ReservationId id, int delivered) {
        if (delivered < 0) {
            throw new IllegalArgumentException("delivered images must be 0 or more, got " + delivered);
        }
        return store.inTransaction(tx -> commit(tx, id, OptionalInt.of(delivered)));
    }

    /** Commits {@code delivered} images, or all of them when empty. */
    private Reservation commit(QuotaTx tx, ReservationId id, OptionalInt delivered) {
        Reservation r = lockReservation(tx, id);
        if (!r.state().isOpen()) {
            return r;
        }
        int charged = delivered.orElse(r.images());
        if (charged > r.images()) {
            throw new IllegalArgumentException("reservation " + id + " holds " + r.images() + " images; cannot commit "
                    + charged);
        }
        int back = r.images() - charged;
        int backToBonus = Math.min(back, r.bonusImages());
        int backToPlan = back - backToBonus;
        Meter m = meterOf(tx, r);
        tx.saveMeter(m.with(m.committed() + r.planImages() - backToPlan, Math.max(0, m.pending() - r.planImages())));
        if (backToBonus > 0) {
            Account a = tx.lockAccount(r.guildId(), r.userId());
            tx.saveAccount(a.withBonus(a.bonusImages() + backToBonus));
        }
        Reservation done = r.withState(ReservationState.COMMITTED, charged, clock.instant());
        tx.updateReservation(done);
        return done;
    }

    /** Gives every reserved image back (the job failed or was cancelled). A reservation already settled is returned unchanged. */
    public Reservation refund(ReservationId id) {
        return store.inTransaction(tx -> {
            Reservation r = lockReservation(tx, id);
            if (!r.state().isOpen()) {
                return r;
            }
            Meter m = meterOf(tx, r);
            tx.saveMeter(m.with(m.committed(), Math.max(0, m.pending() - r.planImages())));
            if (r.bonusImages() > 0) {
                Account a = tx.lockAccount(r.guildId(), r.userId());
                tx.saveAccount(a.withBonus(a.bonusImages() + r.bonusImages()));
            }
            Reservation done = r.withState(ReservationState.REFUNDED, 0, clock.instant());
            tx.updateReservation(done);
            return done;
        });
    }

    public Optional<Reservation> reservation(ReservationId id) {
        return store.inTransaction(tx -> tx.reservation(id));
    }

    /** The member's QUEUED and RUNNING reservations, oldest first. */
    public List<Reservation> openReservations(String guildId, String userId) {
        return store.inTransaction(tx -> tx.openReservations(guildId, userId));
    }

    /** What /info shows, with the roles and SKUs the platform reports now (they are remembered). */
    public Usage usage(Member member) {
        return store.inTransaction(tx -> usage(tx, context(tx, member, clock.instant())));
    }

    /** What /info shows, using the roles and SKUs last reported for the member. */
    public Usage usage(String guildId, String userId) {
        return store.inTransaction(tx -> usage(tx, context(tx, guildId, userId, null, clock.instant())));
    }

    private Usage usage(QuotaTx tx, Context c) {
        Plan p = c.resolution.plan();
        int used = c.meter.used();
        Remaining remaining = p.isUnlimited()
                ? Remaining.unlimited(c.account.bonusImages())
                : Remaining.of(Math.max(0, p.images().getAsInt() - used), c.account.bonusImages());
        List<Reservation> open = tx.openReservations(c.account.guildId(), c.account.userId());
        int running = (int) open.stream().filter(r -> r.state() == ReservationState.RUNNING).count();
        return new Usage(c.account.guildId(), c.account.userId(), c.resolution, c.period, used, remaining,
                Guilds.lane(p, used), running, open.size() - running, c.account.privateEnabled(),
                c.resolution.privateResults() && c.account.privateEnabled());
    }

    /**
     * Whether the member's results (and prompts) are to be shown only to them: their plan includes
     * private results, or allows them as an add-on and they hold one, and they have not switched
     * private mode off. Uses the roles and SKUs last reported for the member.
     */
    public boolean isPrivate(String guildId, String userId) {
        return store.inTransaction(tx -> {
            Instant now = clock.instant();
            Guilds.Config g = guilds.load(tx, guildId, now);
            Account a = tx.account(guildId, Ids.check("user", userId)).orElseGet(() -> Account.fresh(guildId, userId));
            PlanResolution r = Guilds.resolve(g, tx.assignments(guildId, userId), a.roleIds(), a.skuIds(), now);
            return r.privateResults() && a.privateEnabled();
        });
    }

    /** As {@link #isPrivate(String, String)}, with the roles and SKUs reported now (they are remembered). */
    public boolean isPrivate(Member member) {
        return store.inTransaction(tx -> {
            Context c = context(tx, member, clock.instant());
            return c.resolution.privateResults() && c.account.privateEnabled();
        });
    }

    /** The member's own private switch (default on). Returns whether their results are private now. */
    public boolean setPrivateMode(String guildId, String userId, boolean on) {
        return store.inTransaction(tx -> {
            Context c = context(tx, guildId, userId, null, clock.instant());
            Account a = c.account.withPrivateEnabled(on);
            tx.saveAccount(a);
            return c.resolution.privateResults() && on;
        });
    }

    /** The member's resolved plan, its source and add-ons (roles and SKUs as reported now, and remembered). */
    public PlanResolution resolve(Member member) {
        return store.inTransaction(tx -> context(tx, member, clock.instant()).resolution);
    }

    // ---- internals ----------------------------------------------------------------------------

    /** A member's locked account with subscription and meter, for one transaction. */
    private record Context(Account account, PlanResolution resolution, Period period, Meter meter) {
    }

    private Context context(QuotaTx tx, Member m, Instant now) {
        return context(tx, m.guildId(), m.userId(), m, now);
    }

    /** Locks the account, records the member's roles/SKUs (when given), resolves the plan and its meter. */
    private Context context(QuotaTx tx, String guildId, String userId, Member reported, Instant now) {
        Ids.check("user", userId);
        Guilds.Config g = guilds.load(tx, guildId, now);
        Account locked = tx.lockAccount(guildId, userId);
        Account a = reported == null ? locked : locked.withMember(reported.roleIds(), reported.skuIds());
        PlanResolution res = Guilds.resolve(g, tx.assignments(guildId, userId), a.roleIds(), a.skuIds(), now);
        a = Guilds.subscribe(a, res.plan(), g, now);
        if (!a.equals(locked)) {
            tx.saveAccount(a);
        }
        Period period = Period.of(res.plan(), g.settings().periodMode(), a.subscription().since(), now);
        Meter meter = tx.meter(guildId, userId, res.plan().name(), period.meterKey())
                .orElseGet(() -> Meter.empty(guildId, userId, res.plan().name(), period.meterKey()));
        return new Context(a, res, period, meter);
    }

    /** Reads the reservation, locks its member's account, then reads it again under the lock. */
    private static Reservation lockReservation(QuotaTx tx, ReservationId id) {
        Objects.requireNonNull(id, "id");
        Reservation first = tx.reservation(id)
                .orElseThrow(() -> new IllegalArgumentException("unknown reservation " + id));
        tx.lockAccount(first.guildId(), first.userId());
        return tx.reservation(id).orElseThrow();
    }

    private static Meter meterOf(QuotaTx tx, Reservation r) {
        return tx.meter(r.guildId(), r.userId(), r.plan(), r.periodStart())
                .orElseGet(() -> Meter.empty(r.guildId(), r.userId(), r.plan(), r.periodStart()));
    }
}
