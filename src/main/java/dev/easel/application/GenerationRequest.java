package dev.easel.application;

import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * One job's part of an {@link ImageGenerator#generate} call. Every candidate brings its own seed and guidance
 * scale; the engine must draw each candidate's noise from its own seed so that the pixels do not depend on
 * what else shares the call.
 */
public sealed interface GenerationRequest
        permits GenerationRequest.TextToImage, GenerationRequest.ImageToImage, GenerationRequest.Upscale {

    GenerationParams params();

    ProgressListener listener();

    /** Images this request produces. */
    int imageCount();

    /** A grid from the prompt: {@code candidates.size()} images of params.width × params.height. */
    record TextToImage(GenerationParams params, List<Candidate> candidates, ProgressListener listener)
            implements GenerationRequest {
        public TextToImage {
            Objects.requireNonNull(params);
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("a request needs at least one candidate");
            }
            listener = listener == null ? ProgressListener.NONE : listener;
        }

        @Override
        public int imageCount() {
            return candidates.size();
        }
    }

    /**
     * Variations: each candidate starts from {@code initImage} (resized to params.width × params.height when it
     * differs) noised to {@code strength} (0 keeps it, 1 ignores it), then denoised with the prompt.
     */
    record ImageToImage(GenerationParams params, BufferedImage initImage, double strength, List<Candidate> candidates,
                        ProgressListener listener) implements GenerationRequest {
        public ImageToImage {
            Objects.requireNonNull(params);
            Objects.requireNonNull(initImage, "init image");
            if (!(strength > 0 && strength <= 1)) {
                throw new IllegalArgumentException("strength must be in (0, 1]; got " + strength);
            }
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("a request needs at least one candidate");
            }
            listener = listener == null ? ProgressListener.NONE : listener;
        }

        @Override
        public int imageCount() {
            return candidates.size();
        }
    }

    /**
     * One image enlarged {@code scale} times (output: scale·image.width × scale·image.height), re-detailed by
     * image to image at {@code strength} with the prompt and the candidate's seed and guidance.
     */
    record Upscale(GenerationParams params, BufferedImage image, int scale, double strength, Candidate candidate,
                   ProgressListener listener) implements GenerationRequest {
        public Upscale {
            Objects.requireNonNull(params);
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(candidate, "candidate");
            if (scale < 2 || scale > 4) {
                throw new IllegalArgumentException("upscale factor must be 2..4; got " + scale);
            }
            if (!(strength > 0 && strength <= 1)) {
                throw new IllegalArgumentException("strength must be in (0, 1]; got " + strength);
            }
            listener = listener == null ? ProgressListener.NONE : listener;
        }

        @Override
        public int imageCount() {
            return 1;
        }
    }
}
