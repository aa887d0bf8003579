package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Origin;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.ParseResult;
import dev.easel.domain.job.PromptParser;

import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * {@code /imagine prompt}: parse → quota → save QUEUED and enqueue (one transaction) → position and ETA. With an
 * init image (an upload already in the {@link ImageStore}) the grid is made by image to image from it.
 */
public final class SubmitImagine {

    /**
     * @param membership  the owner's roles and entitlements, for the quota
     * @param initImageId a stored image to start from (image to image), or null for text to image
     * @param strength    with an init image: how far from it the pictures may go, in (0, 1] (0 keeps it, 1 ignores
     *                    it); 0 without one
     */
    public record Request(Owner owner, String prompt, Membership membership, String initImageId, double strength) {
        public Request {
            membership = membership == null ? Membership.NONE : membership;
            if (initImageId == null ? strength != 0 : !(strength > 0 && strength <= 1)) {
                throw new IllegalArgumentException(initImageId == null
                        ? "strength only applies with an init image; got " + strength
                        : "strength must be in (0, 1]: near 0 keeps the image, 1 ignores it; got " + strength);
            }
        }

        /** Text to image. */
        public Request(Owner owner, String prompt, Membership membership) {
            this(owner, prompt, membership, null, 0);
        }

        public Request(Owner owner, String prompt) {
            this(owner, prompt, Membership.NONE);
        }
    }

    public sealed interface Result permits Accepted, Invalid, Denied {
    }

    /** Queued; the standing is empty only when the queue is longer than the standings window. */
    public record Accepted(Job job, Optional<QueueStanding> standing) implements Result {
    }

    /** The prompt has a mistake; the message says which. */
    public record Invalid(String message) implements Result {
    }

    /** The quota said no; the reason says why. */
    public record Denied(String reason) implements Result {
    }

    private final PromptParser parser;
    private final JobIntake intake;
    private final RandomGenerator seeds;

    public SubmitImagine(PromptParser parser, JobIntake intake, RandomGenerator seeds) {
        this.parser = parser;
        this.intake = intake;
        this.seeds = seeds;
    }

    public Result submit(Request request) {
        ParseResult parsed = parser.parse(request.prompt());
        if (parsed instanceof ParseResult.Invalid invalid) {
            return new Invalid(invalid.message());
        }
        var params = ((ParseResult.Parsed) parsed).params();
        if (params.seed().isEmpty()) {
            params = params.withSeed(randomSeed(seeds));
        }
        Origin origin = null;
        if (request.initImageId() != null) {
            params = params.withStrength(request.strength());
            origin = Origin.upload(request.initImageId());
        }
        JobIntake.Outcome outcome = intake.enqueue(request.owner(), request.membership(), JobKind.IMAGINE, origin,
                params);
        if (outcome instanceof JobIntake.Enqueued enqueued) {
            return new Accepted(enqueued.job(), enqueued.standing());
        }
        return new Denied(((JobIntake.Refused) outcome).reason());
    }

    /** A seed in 0..4294967295. */
    static long randomSeed(RandomGenerator random) {
        return random.nextLong() & 0xFFFF_FFFFL;
    }
}
