package dev.easel.adapter.metrics;

import java.util.List;
import java.util.Locale;

/**
 * Maps a failed job's readable reason (free text, see JobWorker) to a small fixed set of metric labels, so that a
 * failures-by-reason counter has bounded cardinality and never carries prompt text.
 */
public final class FailureReasons {
    /** Every label {@link #classify} returns. */
    public static final List<String> LABELS = List.of("out_of_memory", "source_image", "storage", "worker_lost",
            "model_unavailable", "engine", "other");

    private FailureReasons() {
    }

    public static String classify(String reason) {
        if (reason == null) {
            return "other";
        }
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.contains("out of memory")) {
            return "out_of_memory";
        }
        if (r.startsWith("the image this job starts from")) {
            return "source_image";
        }
        if (r.startsWith("the images could not be stored")) {
            return "storage";
        }
        if (r.startsWith("the worker stopped while making")) {
            return "worker_lost";
        }
        if (r.contains("is not loaded here")) {
            return "model_unavailable";
        }
        if (r.startsWith("the image engine") || r.startsWith("the engine")) {
            return "engine";
        }
        return "other";
    }
}
