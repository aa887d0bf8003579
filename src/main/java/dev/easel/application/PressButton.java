package dev.easel.application;

import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.JobStatus;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;

import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A result button: U1–U4 (upscale), V1–V4 subtle/strong (variations) or re-roll. The new job is derived entirely
 * from the stored parent, so buttons keep working after restarts. It is charged to whoever pressed, by the same
 * rules as {@code /imagine}.
 */
public final class PressButton {

    /**
     * @param presser    who pressed, and where (the new job is delivered there)
     * @param membership the presser's roles and entitlements, for the quota
     */
    public record Request(Owner presser, String customId, Membership membership) {
        public Request {
            membership = membership == null ? Membership.NONE : membership;
        }

        public Request(Owner presser, String customId) {
            this(presser, customId, Membership.NONE);
        }
    }

    public sealed interface Result permits Accepted, Rejected, Denied {
    }

    public record Accepted(Job job, Optional<QueueStanding> standing) implements Result {
    }

    /** The button cannot be used (unknown, parent gone or not done, private, wrong candidate). */
    public record Rejected(String message) implements Result {
    }

    /** The quota said no. */
    public record Denied(String reason) implements Result {
    }

    private final JobRepository jobs;
    private final TransactionRunner transactions;
    private final JobIntake intake;
    private final VariationSettings settings;
    private final RandomGenerator seeds;
    private final int upscaleScale;

    /** How many upscales {@code job} is from its grid candidate (0 for a grid). */
    private int upscaleSteps(Job job) {
        int steps = 0;
        Job current = job;
        while (current != null && current.kind() == JobKind.UPSCALE && steps < 16) {
            steps++;
            JobId parentId = current.origin() == null ? null : current.origin().parentId();
            if (parentId == null) {
                break;
            }
            current = transactions.inTransaction(tx -> jobs.find(parentId, tx)).orElse(null);
        }
        return steps;
    }

    public PressButton(JobRepository jobs, TransactionRunner transactions, JobIntake intake,
                       VariationSettings settings, RandomGenerator seeds) {
        this(jobs, transactions, intake, settings, seeds, 2);
    }

    /** @param upscaleScale how much one upscale enlarges (the worker's setting) */
    public PressButton(JobRepository jobs, TransactionRunner transactions, JobIntake intake,
                       VariationSettings settings, RandomGenerator seeds, int upscaleScale) {
        this.upscaleScale = upscaleScale;
        this.jobs = jobs;
        this.transactions = transactions;
        this.intake = intake;
        this.settings = settings;
        this.seeds = seeds;
    }

    public Result press(Request request) {
        Optional<ButtonAction> decoded = ButtonCodec.decode(request.customId());
        if (decoded.isEmpty()) {
            return new Rejected("this button is from an older version of the bot or damaged; run /imagine again");
        }
        ButtonAction action = decoded.get();
        Optional<Job> found = transactions.inTransaction(tx -> jobs.find(action.jobId(), tx));
        if (found.isEmpty()) {
            return new Rejected("job " + action.jobId() + " no longer exists");
        }
        Job parent = found.get();
        if (parent.status() != JobStatus.DONE) {
            return new Rejected("job " + parent.id() + " is " + parent.status().name().toLowerCase()
                    + "; its buttons work once it is done");
        }
        if (parent.privateResult() && !parent.owner().userId().equals(request.presser().userId())) {
            return new Rejected("job " + parent.id() + " is private: only its owner can use its buttons");
        }
        int count = parent.outputImageIds().size();
        if (action.kind() != ButtonAction.Kind.REROLL && action.index() > count) {
            return new Rejected("job " + parent.id() + " has " + count + " image" + (count == 1 ? "" : "s")
                    + "; there is no image " + action.index());
        }
        JobIntake.Outcome outcome;
        switch (action.kind()) {
            case UPSCALE -> {
                if (parent.kind() == JobKind.UPSCALE) {
                    // a further upscale of the upscaled image; the plan's maxUpscale decides (total factor)
                    int steps = upscaleSteps(parent) + 1;
                    Candidate c = parent.params().candidates().get(0);
                    int scale = upscaleScale;
                    GenerationParams params = parent.params().withSize(parent.params().width() * scale,
                            parent.params().height() * scale).withCandidateCount(1).withChaos(0)
                            .withGuidance(c.guidanceScale()).withSeed(c.seed()).withStrength(settings.upscaleStrength());
                    outcome = intake.enqueue(request.presser(), request.membership(), JobKind.UPSCALE,
                            new Origin(parent.id(), 0, parent.outputImageIds().get(0)), params, steps);
                    break;
                }
                Candidate c = parent.params().candidates().get(action.index() - 1);
                GenerationParams params = parent.params().withCandidateCount(1).withChaos(0)
                        .withGuidance(c.guidanceScale()).withSeed(c.seed()).withStrength(settings.upscaleStrength());
                outcome = intake.enqueue(request.presser(), request.membership(), JobKind.UPSCALE, new Origin(parent.id(),
                        action.index() - 1, parent.outputImageIds().get(action.index() - 1)), params);
            }
            case VARY_SUBTLE, VARY_STRONG -> {
                double strength = action.kind() == ButtonAction.Kind.VARY_SUBTLE ? settings.subtleStrength()
                        : settings.strongStrength();
                GenerationParams params = parent.params().withCandidateCount(settings.gridCandidates())
                        .withStrength(strength).withSeed(SubmitImagine.randomSeed(seeds));
                outcome = intake.enqueue(request.presser(), request.membership(), JobKind.VARIATION, new Origin(parent.id(),
                        action.index() - 1, parent.outputImageIds().get(action.index() - 1)), params);
            }
            case REROLL -> {
                if (parent.kind() == JobKind.UPSCALE) {
                    return new Rejected("job " + parent.id() + " is an upscale; re-roll the grid it came from");
                }
                String source = parent.origin() == null ? null : parent.origin().sourceImageId();
                GenerationParams params = parent.params().withSeed(SubmitImagine.randomSeed(seeds));
                outcome = intake.enqueue(request.presser(), request.membership(), JobKind.REROLL,
                        new Origin(parent.id(), -1, source), params);
            }
            default -> throw new IllegalStateException(action.kind().toString());
        }
        if (outcome instanceof JobIntake.Enqueued enqueued) {
            return new Accepted(enqueued.job(), enqueued.standing());
        }
        return new Denied(((JobIntake.Refused) outcome).reason());
    }
}
