package dev.easel.adapter.discord;

import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;

import java.awt.image.BufferedImage;

/**
 * The {@link JobNotifier} the job service is built with (before the bot exists, since the bot needs the service):
 * it forwards to the bot once {@link DiscordBot#start} attached it, and drops events before that (deliveries are
 * driven by the jobs' stored state, so a finished job is still delivered by the bot's sweep).
 */
public final class BotNotifier implements JobNotifier {
    private volatile Deliverer target;

    void attach(Deliverer d) {
        this.target = d;
    }

    void detach() {
        this.target = null;
    }

    @Override
    public void started(Job job) {
        Deliverer t = target;
        if (t != null) {
            t.started(job);
        }
    }

    @Override
    public void progress(Job job, int step, int totalSteps, BufferedImage preview) {
        Deliverer t = target;
        if (t != null) {
            t.progress(job, step, totalSteps, preview);
        }
    }

    @Override
    public void completed(Job job) {
        finished(job);
    }

    @Override
    public void failed(Job job) {
        finished(job);
    }

    @Override
    public void cancelled(Job job) {
        finished(job);
    }

    private void finished(Job job) {
        Deliverer t = target;
        if (t != null) {
            t.kick(job.id());
        }
    }
}
