package dev.easel.domain.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One generation job. Immutable: each state change returns a new value and checks that the change is legal
 * (QUEUED → RUNNING → DONE | FAILED | CANCELLED; RUNNING → QUEUED when a crashed run is retried).
 *
 * @param origin          parent, candidate and init image of a derived job; for IMAGINE null, or the uploaded
 *                        init image of an image-to-image prompt
 * @param params          generation parameters, always with the seed chosen
 * @param planName        the owner's plan when the job was submitted
 * @param privateResult   results and prompt are shown only to the owner
 * @param reservationId   the quota reservation that is committed when the job is DONE and refunded otherwise
 * @param maxRunning      how many jobs of this owner may run at once (from the plan at submission)
 * @param startedAt       start of the latest attempt; null while never started
 * @param finishedAt      when it reached a terminal state; null before
 * @param attempts        how many times a worker started it
 * @param failureReason   readable reason of FAILED, null otherwise
 * @param outputImageIds  the candidates' stored image ids, in candidate order (empty until DONE)
 * @param gridImageId     the stored grid of a multi-candidate job; null otherwise
 * @param workerId        the worker running it (RUNNING) or that ran it last
 * @param cancelRequested the owner or an admin asked to stop it while running
 */
public record Job(
        JobId id,
        Owner owner,
        JobKind kind,
        Origin origin,
        GenerationParams params,
        Lane lane,
        String planName,
        boolean privateResult,
        String reservationId,
        int maxRunning,
        JobStatus status,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        int attempts,
        String failureReason,
        List<String> outputImageIds,
        String gridImageId,
        String workerId,
        boolean cancelRequested) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        if (params.seed().isEmpty()) {
            throw new IllegalArgumentException("a job's parameters must carry the chosen seed");
        }
        if (kind == JobKind.IMAGINE ? origin != null && !origin.isUpload() : origin == null || origin.isUpload()) {
            throw new IllegalArgumentException(kind + " job " + (origin == null || origin.isUpload() ? "needs"
                    : "cannot have") + " a parent");
        }
        if (kind == JobKind.UPSCALE && (origin.sourceImageId() == null || params.candidateCount() != 1)) {
            throw new IllegalArgumentException("an upscale job needs a source image and makes exactly one image");
        }
        if (kind == JobKind.VARIATION && origin.sourceImageId() == null) {
            throw new IllegalArgumentException("a variation job needs a source image");
        }
        if (planName == null || planName.isBlank()) {
            throw new IllegalArgumentException("plan name must be set");
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("max running jobs per user must be >= 1; got " + maxRunning);
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0; got " + attempts);
        }
        outputImageIds = List.copyOf(outputImageIds == null ? List.of() : outputImageIds);
    }

    /** A new job waiting in the queue. */
    public static Job queued(JobId id, Owner owner, JobKind kind, Origin origin, GenerationParams params, Lane lane,
                             String planName, boolean privateResult, String reservationId, int maxRunning,
                             Instant now) {
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.QUEUED, now, null, null, 0, null, List.of(), null, null, false);
    }

    public long seed() {
        return params.seed().getAsLong();
    }

    public GenerationMode mode() {
        if (kind == JobKind.UPSCALE) {
            return GenerationMode.UPSCALE;
        }
        return origin != null && origin.sourceImageId() != null ? GenerationMode.IMAGE_TO_IMAGE
                : GenerationMode.TEXT_TO_IMAGE;
    }

    /** Images this job delivers (and is charged for): one per candidate. */
    public int imageCount() {
        return params.candidateCount();
    }

    public Job start(String worker, Instant now) {
        require(JobStatus.QUEUED, "start");
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.RUNNING, createdAt, now, null, attempts + 1, null, List.of(), null, worker, cancelRequested);
    }

    public Job complete(List<String> imageIds, String gridId, Instant now) {
        require(JobStatus.RUNNING, "complete");
        if (imageIds == null || imageIds.size() != params.candidateCount()) {
            throw new IllegalArgumentException("job " + id + " makes " + params.candidateCount() + " images; got "
                    + (imageIds == null ? 0 : imageIds.size()));
        }
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.DONE, createdAt, startedAt, now, attempts, null, imageIds, gridId, workerId,
                cancelRequested);
    }

    public Job fail(String reason, Instant now) {
        if (!status.isActive()) {
            throw illegal("fail");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a failure needs a readable reason");
        }
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.FAILED, createdAt, startedAt, now, attempts, reason, List.of(), null, workerId,
                cancelRequested);
    }

    public Job cancel(Instant now) {
        if (!status.isActive()) {
            throw illegal("cancel");
        }
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.CANCELLED, createdAt, startedAt, now, attempts, null, List.of(), null, workerId,
                cancelRequested);
    }

    /** A RUNNING job whose worker died goes back to the queue, keeping its place (created time) and attempt count. */
    public Job requeue() {
        require(JobStatus.RUNNING, "requeue");
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                JobStatus.QUEUED, createdAt, startedAt, null, attempts, null, List.of(), null, null, cancelRequested);
    }

    public Job withCancelRequested() {
        require(JobStatus.RUNNING, "request cancellation of");
        return new Job(id, owner, kind, origin, params, lane, planName, privateResult, reservationId, maxRunning,
                status, createdAt, startedAt, finishedAt, attempts, failureReason, outputImageIds, gridImageId,
                workerId, true);
    }

    private void require(JobStatus expected, String action) {
        if (status != expected) {
            throw illegal(action);
        }
    }

    private IllegalStateException illegal(String action) {
        return new IllegalStateException("cannot " + action + " job " + id + ": it is " + status);
    }
}
