package dev.easel;

import dev.easel.adapter.discord.QuotaScope;
import dev.easel.application.QuotaDecision;
import dev.easel.application.QuotaGate;
import dev.easel.application.ReservationRequest;
import dev.easel.application.Tx;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Lane;
import dev.easel.domain.quota.Denied;
import dev.easel.domain.quota.Granted;
import dev.easel.domain.quota.Member;
import dev.easel.domain.quota.QuotaRequest;
import dev.easel.domain.quota.QuotaService;
import dev.easel.domain.quota.ReservationId;
import dev.easel.domain.quota.ReserveResult;
import dev.easel.domain.quota.WorkKind;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plan-based quota ({@link QuotaService}) behind the job service's {@link QuotaGate}, for a quota store that
 * cannot join the job transaction (the in-memory store the bot uses until the JDBC store is wired): reservations
 * are made in the quota store's own transaction, so a crash between "reserve" and "save the job" can leave a
 * reservation without a job (the images come back when the period renews).
 *
 * <p>Plans depend on the member's roles and entitlements, which only the platform knows: the bot reports each
 * member with {@link #remember} before submitting, and reservations use what was reported last. Direct messages
 * count under {@link QuotaScope#DIRECT_MESSAGES}. An upscale asks the plan for {@code upscaleFactor}.
 */
public final class PlanQuotaGate implements QuotaGate {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PlanQuotaGate.class);
    private final QuotaService quota;
    private final int upscaleFactor;
    private final Map<String, Member> members = new ConcurrentHashMap<>();

    public PlanQuotaGate(QuotaService quota, int upscaleFactor) {
        this.quota = Objects.requireNonNull(quota, "quota");
        if (upscaleFactor < 2) {
            throw new IllegalArgumentException("upscale factor must be >= 2; got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    /** The member's roles and SKUs as the platform reports them now. */
    public void remember(Member member) {
        members.put(key(member.guildId(), member.userId()), member);
    }

    @Override
    public QuotaDecision reserve(ReservationRequest request, Tx tx) {
        String guild = QuotaScope.of(request.owner().guildId());
        String user = request.owner().userId();
        Member member = members.getOrDefault(key(guild, user), Member.of(guild, user));
        GenerationParams p = request.params();
        QuotaRequest q = new QuotaRequest(workKind(request.kind()), request.imageCount(), p.steps(), p.width(),
                p.height(), request.kind() == JobKind.UPSCALE ? upscaleFactor : 0, false);
        ReserveResult r = quota.reserve(member, q);
        if (r instanceof Denied denied) {
            return new QuotaDecision.Denied(denied.message());
        }
        Granted g = (Granted) r;
        Lane lane = g.lane() == dev.easel.domain.quota.Lane.FAST ? Lane.FAST : Lane.RELAX;
        return new QuotaDecision.Granted(g.reservationId().value(), g.plan().name(), lane, quota.isPrivate(guild, user),
                g.plan().maxRunning());
    }

    /**
     * Charges the job. A reservation the store does not know (an in-memory store forgets them when the process
     * restarts) is logged and skipped, so that the job can still finish.
     */
    @Override
    public void commit(String reservationId, Tx tx) {
        try {
            quota.commit(new ReservationId(reservationId));
        } catch (IllegalArgumentException e) {
            log.warn("cannot charge reservation {}: {}", reservationId, e.getMessage());
        }
    }

    @Override
    public void refund(String reservationId, String reason, Tx tx) {
        try {
            quota.refund(new ReservationId(reservationId));
        } catch (IllegalArgumentException e) {
            log.warn("cannot refund reservation {} ({}): {}", reservationId, reason, e.getMessage());
        }
    }

    private static WorkKind workKind(JobKind kind) {
        return switch (kind) {
            case IMAGINE -> WorkKind.IMAGINE;
            case UPSCALE -> WorkKind.UPSCALE;
            case VARIATION -> WorkKind.VARIATION;
            case REROLL -> WorkKind.REROLL;
        };
    }

    private static String key(String guild, String user) {
        return guild + "/" + user;
    }
}
