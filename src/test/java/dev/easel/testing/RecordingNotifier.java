package dev.easel.testing;

import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;
import dev.easel.domain.job.JobId;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Records notifications as lines: "started id", "progress id 3/10 preview", "completed id", "failed id: reason". */
public final class RecordingNotifier implements JobNotifier {
    private final List<String> events = new ArrayList<>();

    @Override
    public synchronized void started(Job job) {
        events.add("started " + job.id());
    }

    @Override
    public synchronized void progress(Job job, int step, int totalSteps, BufferedImage preview) {
        events.add("progress " + job.id() + " " + step + "/" + totalSteps + (preview == null ? "" : " preview"));
    }

    @Override
    public synchronized void completed(Job job) {
        events.add("completed " + job.id());
    }

    @Override
    public synchronized void failed(Job job) {
        events.add("failed " + job.id() + ": " + job.failureReason());
    }

    @Override
    public synchronized void cancelled(Job job) {
        events.add("cancelled " + job.id());
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    public synchronized List<String> eventsOf(JobId id) {
        return events.stream().filter(e -> e.split(" ")[1].replace(":", "").equals(id.value())).toList();
    }

    public synchronized List<String> kinds(String kind) {
        return events.stream().filter(e -> e.startsWith(kind + " ")).toList();
    }
}
