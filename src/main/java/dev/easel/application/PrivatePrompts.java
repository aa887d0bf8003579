package dev.easel.application;

import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the prompts of private-plan jobs out of logs. While a worker runs a private job, its prompt and negative
 * prompt are registered here; the log layout replaces them in every line (message and stack trace) written
 * meanwhile, whoever logs it (engine, notifier, adapters). Code that logs about a job outside that window uses
 * {@link #redact(Job, String)}.
 */
public final class PrivatePrompts {
    /** What a private prompt becomes in a log line. */
    public static final String MASK = "[private prompt]";

    private static final Map<JobId, List<String>> ACTIVE = new ConcurrentHashMap<>();
    private static volatile List<String> texts = List.of();

    private PrivatePrompts() {
    }

    /** Starts masking the job's texts if it is private (no-op otherwise). */
    public static void register(Job job) {
        if (!job.privateResult()) {
            return;
        }
        List<String> t = new ArrayList<>(2);
        add(t, job.params().prompt());
        add(t, job.params().negativePrompt());
        ACTIVE.put(job.id(), List.copyOf(t));
        rebuild();
    }

    public static void unregister(JobId id) {
        if (ACTIVE.remove(id) != null) {
            rebuild();
        }
    }

    private static void add(List<String> into, String text) {
        if (text != null && !text.isBlank()) {
            into.add(text.strip());
        }
    }

    private static synchronized void rebuild() {
        // longest first, so that a prompt containing another prompt is masked whole
        texts = ACTIVE.values().stream().flatMap(List::stream).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** {@code text} with every registered private prompt replaced by {@link #MASK}. */
    public static String redactActive(String text) {
        List<String> current = texts;
        if (text == null || current.isEmpty()) {
            return text;
        }
        String out = text;
        for (String t : current) {
            out = out.replace(t, MASK);
        }
        return out;
    }

    /** {@code text} with this job's prompts masked when the job is private; unchanged otherwise. */
    public static String redact(Job job, String text) {
        if (text == null || !job.privateResult()) {
            return text;
        }
        String out = text;
        List<String> t = new ArrayList<>(2);
        add(t, job.params().prompt());
        add(t, job.params().negativePrompt());
        t.sort(Comparator.comparingInt(String::length).reversed());
        for (String s : t) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /**
     * A copy of {@code e} to log for a private job: same class name, stack and causes, messages redacted. Logging
     * it shows where the failure came from without the prompt.
     */
    public static Throwable redact(Job job, Throwable e) {
        if (e == null || !job.privateResult()) {
            return e;
        }
        return copy(job, e, 0);
    }

    private static Throwable copy(Job job, Throwable e, int depth) {
        Throwable cause = e.getCause() != null && depth < 8 ? copy(job, e.getCause(), depth + 1) : null;
        RedactedException r = new RedactedException(e.getClass().getName() + ": "
                + redact(job, String.valueOf(e.getMessage())), cause);
        r.setStackTrace(e.getStackTrace());
        return r;
    }

    /** Stands in for an exception whose message held a private prompt. */
    public static final class RedactedException extends RuntimeException {
        RedactedException(String message, Throwable cause) {
            super(message, cause, false, true);
        }
    }
}
