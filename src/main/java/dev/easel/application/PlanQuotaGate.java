package dev.easel.application;

import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Owner;
import dev.easel.domain.quota.Denied;
import dev.easel.domain.quota.Granted;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.QuotaRequest;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReserveResult;
import dev.easel.domain.quota.WorkKind;
import dev.easel.domain.job.Lane;

import java.util.Objects;
import java.util.function.Function;

/**
 * The plan-based quota ({@link QuotaService}: plans, periods, lanes, private results) behind the job use cases'
 * {@link QuotaGate}. The owner's plan decides the job's lane, its running cap and whether its results are private.
 *
 * <p>Reserve and enqueue commit together when the {@link dev.easel.domain.quota.QuotaStore} joins the
 * transaction open on the calling thread (a JDBC store on the jobs database); with the in-memory store they are
 * two steps, so a crash between them can leave a reservation without a job.
 */
public final class PlanQuotaGate implements QuotaGate {
    private final QuotaService quota;
    private final Function<Owner, Member> members;
    private final int upscaleFactor;

    /**
     * @param members       the quota member an owner is (with the roles and SKUs the platform reports for them)
     * @param upscaleFactor how many times an upscale enlarges (checked against the plan's maxUpscale)
     */
    public PlanQuotaGate(QuotaService quota, Function<Owner, Member> members, int upscaleFactor) {
        this.quota = Objects.requireNonNull(quota, "quota");
        this.members = Objects.requireNonNull(members, "members");
        if (upscaleFactor < 2) {
            throw new IllegalArgumentException("upscale factor must be >= 2; got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    @Override
    public QuotaDecision reserve(ReservationRequest request, Tx tx) {
        Member member = members.apply(request.owner());
        boolean privateResult = quota.isPrivate(member);
        var p = request.params();
        QuotaRequest ask = new QuotaRequest(WorkKind.valueOf(request.kind().name()), request.imageCount(), p.steps(),
                p.width(), p.height(), request.kind() == JobKind.UPSCALE ? upscaleFactor : 0, privateResult);
        ReserveResult result = quota.reserve(member, ask);
        if (result instanceof Denied denied) {
            return new QuotaDecision.Denied(denied.message());
        }
        Granted granted = (Granted) result;
        Lane lane = granted.lane() == dev.easel.domain.quota.Lane.FAST ? Lane.FAST : Lane.RELAX;
        return new QuotaDecision.Granted(granted.reservationId().value(), granted.plan().name(), lane, privateResult,
                granted.plan().maxRunning());
    }

    @Override
    public void commit(String reservationId, Tx tx) {
        quota.commit(new ReservationId(reservationId));
    }

    @Override
    public void refund(String reservationId, String reason, Tx tx) {
        quota.refund(new ReservationId(reservationId));
    }
}
