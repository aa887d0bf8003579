package dev.easel.application;

import java.time.Duration;

/**
 * @param claimWindow          waiting jobs a worker looks at when it picks the next one
 * @param standingsWindow      waiting jobs considered for positions and ETAs
 * @param etaHistory           finished jobs whose run times feed the speed estimate
 * @param defaultMillisPerStep time of one denoising step of one 512×512 image before anything was measured
 * @param workerActivity       a worker that heartbeated or finished a job this recently counts for ETAs
 */
public record QueueSettings(int claimWindow, int standingsWindow, int etaHistory, double defaultMillisPerStep,
                            Duration workerActivity) {
    public QueueSettings {
        if (claimWindow < 1 || standingsWindow < 1 || etaHistory < 1) {
            throw new IllegalArgumentException("queue windows and history must be >= 1");
        }
        if (!(defaultMillisPerStep > 0)) {
            throw new IllegalArgumentException("default millis per step must be > 0; got " + defaultMillisPerStep);
        }
    }

    public static QueueSettings defaults() {
        return new QueueSettings(500, 2000, 50, 250.0, Duration.ofMinutes(5));
    }
}
