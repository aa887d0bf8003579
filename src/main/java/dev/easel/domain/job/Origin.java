package dev.easel.domain.job;

/**
 * Where a derived job (upscale, variation, re-roll) comes from.
 *
 * @param parentId        the job whose button was pressed
 * @param candidateIndex  0-based candidate of the parent it starts from; -1 for a re-roll of the whole grid
 * @param sourceImageId   the stored image used as the init image (image to image, upscale); null for text to image
 */
public record Origin(JobId parentId, int candidateIndex, String sourceImageId) {
    public Origin {
        if (parentId == null) {
            throw new IllegalArgumentException("a derived job needs its parent's id");
        }
        if (candidateIndex < -1) {
            throw new IllegalArgumentException("candidate index must be -1 (none) or >= 0; got " + candidateIndex);
        }
        if (sourceImageId != null && sourceImageId.isBlank()) {
            throw new IllegalArgumentException("source image id must be null or non-blank");
        }
    }
}
