package dev.easel.application;

import dev.easel.domain.job.JobId;

import java.awt.image.BufferedImage;
import java.util.Map;

/** Where finished images live; jobs refer to them by id, so parents (and their buttons) survive restarts. */
public interface ImageStore {

    /**
     * Stores a PNG carrying {@code metadata} as text; returns its id, {@code <jobId>/<name>}.
     *
     * @param name a short file-safe name within the job ([a-z0-9_-], e.g. "0" or "grid")
     */
    String save(JobId job, String name, BufferedImage image, Map<String, String> metadata);

    BufferedImage load(String imageId);

    /** The stored PNG bytes (for uploading). */
    byte[] readPng(String imageId);

    boolean exists(String imageId);
}
