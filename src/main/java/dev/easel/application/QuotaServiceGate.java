package dev.easel.application;

import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.Denied;
import dev.easel.domain.quota.Granted;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.Plan;
import dev.easel.domain.quota.QuotaRequest;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReserveResult;
import dev.easel.domain.quota.WorkKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The plan-based quota behind the job use cases: each submission is reserved with {@link QuotaService#reserve}
 * (plans, allowances, lanes, queue caps, private results) and settled with {@link QuotaService#commit} when its
 * job is DONE or {@link QuotaService#refund} when it FAILED or was CANCELLED.
 *
 * <h2>One transaction</h2>
 * The service must run on a store that joins the caller's transaction open on the calling thread: the JDBC store of
 * the same database does ({@code JdbcDatabase.quotaStore()}), so the reservation and the QUEUED job, or the finished
 * job and its settlement, commit or roll back together. (On a store that cannot join, such as the in-memory one, the
 * quota would commit on its own.)
 *
 * <h2>Mapping</h2>
 * <ul>
 *   <li>member: the owner's guild and user, with the roles and SKUs of the request's {@link Membership} (the quota
 *       remembers them); owners outside any guild (direct messages, the command line) are counted in the pseudo-guild
 *       {@link #DIRECT}, which starts with the default plans like any guild</li>
 *   <li>work: job kind → {@link WorkKind} of the same name; images = the job's candidate count; steps and size from
 *       the parameters (for an upscale: the size of the source candidate) and, for upscales, the engine's upscale
 *       factor</li>
 *   <li>private: results are private when the member's plan grants it and their private switch is on
 *       ({@link QuotaService#isPrivate(Member)}); the request asks for exactly that, so it is never refused for it</li>
 *   <li>granted: reservation id, plan name, lane (same name), private, the plan's maxRunning; denied: the quota's
 *       message for the member (which limit, which plan, when it renews)</li>
 * </ul>
 * The running cap is enforced when jobs are claimed (each job carries its plan's maxRunning), so reservations stay
 * QUEUED until settled and {@link QuotaService#markRunning} is not used here.
 *
 * <p>A reservation id the quota does not know (a job reserved by the built-in {@link ConfigQuotaGate} before the
 * switch to plans, or none at all) has nothing to settle: commit and refund skip it.
 */
public final class QuotaServiceGate implements QuotaGate {
    private static final Logger log = LoggerFactory.getLogger(QuotaServiceGate.class);

    /** The guild id under which owners outside any guild are counted. */
    public static final String DIRECT = "direct";

    private final QuotaService quota;
    private final int upscaleFactor;

    /**
     * @param quota         the quota service, on a store that joins the caller's transaction
     * @param upscaleFactor how much an upscale enlarges (the engine's setting, checked against the plan's maxUpscale)
     */
    public QuotaServiceGate(QuotaService quota, int upscaleFactor) {
        this.quota = Objects.requireNonNull(quota, "quota");
        if (upscaleFactor < 2 || upscaleFactor > Plan.MAX_UPSCALE) {
            throw new IllegalArgumentException("upscale factor must be 2.." + Plan.MAX_UPSCALE + "; got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    public QuotaService service() {
        return quota;
    }

    @Override
    public QuotaDecision reserve(ReservationRequest request, Tx tx) {
        Member member = member(request.owner(), request.membership());
        boolean privateResults = quota.isPrivate(member);
        ReserveResult result = quota.reserve(member, quotaRequest(request).withPrivate(privateResults));
        if (result instanceof Denied denied) {
            return new QuotaDecision.Denied(denied.message());
        }
        Granted granted = (Granted) result;
        return new QuotaDecision.Granted(granted.reservationId().value(), granted.plan().name(), lane(granted.lane()),
                privateResults, granted.plan().maxRunning());
    }

    @Override
    public void commit(String reservationId, Tx tx) {
        if (known(reservationId, "commit")) {
            quota.commit(new ReservationId(reservationId));
        }
    }

    @Override
    public void refund(String reservationId, String reason, Tx tx) {
        if (known(reservationId, "refund")) {
            quota.refund(new ReservationId(reservationId));
        }
    }

    private boolean known(String reservationId, String what) {
        if (reservationId == null) {
            return false;
        }
        if (reservationId.isBlank() || reservationId.length() > 64
                || quota.reservation(new ReservationId(reservationId)).isEmpty()) {
            log.info("nothing to {}: the quota made no reservation '{}'", what, reservationId);
            return false;
        }
        return true;
    }

    /** The quota's member for a job owner: guild (or {@link #DIRECT}) and user, with the reported roles and SKUs. */
    public static Member member(Owner owner, Membership membership) {
        String guild = owner.guildId() == null ? DIRECT : owner.guildId();
        return new Member(guild, owner.userId(), membership.roleIds(), membership.skuIds());
    }

    /** The facts of the job the quota decides on (public; {@link #reserve} sets private). */
    QuotaRequest quotaRequest(ReservationRequest request) {
        GenerationParams p = request.params();
        WorkKind kind = workKind(request.kind());
        // the total enlargement from the grid candidate: 2 for U on a grid, 4 for an upscale of that, …
        int upscale = request.kind() == JobKind.UPSCALE ? (int) Math.pow(upscaleFactor, Math.max(1, request.upscaleSteps())) : 0;
        return new QuotaRequest(kind, request.imageCount(), p.steps(), p.width(), p.height(), upscale, false);
    }

    static WorkKind workKind(JobKind kind) {
        return switch (kind) {
            case IMAGINE -> WorkKind.IMAGINE;
            case UPSCALE -> WorkKind.UPSCALE;
            case VARIATION -> WorkKind.VARIATION;
            case REROLL -> WorkKind.REROLL;
        };
    }

    static Lane lane(dev.easel.domain.quota.Lane lane) {
        return switch (lane) {
            case FAST -> Lane.FAST;
            case RELAX -> Lane.RELAX;
        };
    }
}
