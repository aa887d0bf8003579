package dev.easel.domain.job;

/**
 * Where a derived job (upscale, variation, re-roll) comes from, or the init image of an image-to-image
 * {@code /imagine} (an uploaded picture: no parent).
 *
 * @param parentId        the job whose button was pressed; null for an uploaded init image
 * @param candidateIndex  0-based candidate of the parent it starts from; -1 for a re-roll of the whole grid or an
 *                        upload
 * @param sourceImageId   the stored image used as the init image (image to image, upscale); null for text to image
 */
public record Origin(JobId parentId, int candidateIndex, String sourceImageId) {
    public Origin {
        if (parentId == null && (sourceImageId == null || candidateIndex != -1)) {
            throw new IllegalArgumentException("a derived job needs its parent's id; only an uploaded init image "
                    + "(candidate -1) has none");
        }
        if (candidateIndex < -1) {
            throw new IllegalArgumentException("candidate index must be -1 (none) or >= 0; got " + candidateIndex);
        }
        if (sourceImageId != null && sourceImageId.isBlank()) {
            throw new IllegalArgumentException("source image id must be null or non-blank");
        }
    }

    /** The init image of an image-to-image {@code /imagine}: a stored upload, no parent job. */
    public static Origin upload(String imageId) {
        return new Origin(null, -1, imageId);
    }

    public boolean isUpload() {
        return parentId == null;
    }
}
