package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobKind;
import dev.easel.domain.job.Owner;
import dev.easel.domain.job.ParseResult;
import dev.easel.domain.job.PromptParser;

import java.util.Optional;
import java.util.random.RandomGenerator;

/** {@code /imagine prompt}: parse → quota → save QUEUED and enqueue (one transaction) → position and ETA. */
public final class SubmitImagine {

    /** @param membership the owner's roles and entitlements, for the quota */
    public record Request(Owner owner, String prompt, Membership membership) {
        public Request {
            membership = membership == null ? Membership.NONE : membership;
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
        JobIntake.Outcome outcome = intake.enqueue(request.owner(), request.membership(), JobKind.IMAGINE, null, params);
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
