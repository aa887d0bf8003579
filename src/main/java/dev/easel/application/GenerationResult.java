package dev.easel.application;

import java.awt.image.BufferedImage;
import java.util.List;

/** What the engine made for one request. */
public sealed interface GenerationResult permits GenerationResult.Images, GenerationResult.Cancelled {

    /** The finished images, in candidate order. */
    record Images(List<BufferedImage> images) implements GenerationResult {
        public Images {
            images = List.copyOf(images);
        }
    }

    /** The listener asked to stop after {@code atStep}. */
    record Cancelled(int atStep) implements GenerationResult {
    }
}
