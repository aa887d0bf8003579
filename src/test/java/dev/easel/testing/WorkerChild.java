package dev.easel.testing;

import dev.easel.WorkerCommand;
import dev.easel.application.JobNotifier;
import dev.easel.domain.job.Job;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A worker process for crash and scale-out tests: {@link WorkerCommand} with the fake engine, the ledger quota, and
 * a notifier that prints "START id", "STEP id n/total" and "DONE id" lines on stdout for the parent to follow.
 */
public final class WorkerChild {
    private WorkerChild() {
    }

    public static void main(String[] args) {
        LedgerQuotaGate quota = new LedgerQuotaGate(2, 1000);
        JobNotifier printer = new JobNotifier() {
            @Override
            public void started(Job job) {
                print("START " + job.id());
            }

            @Override
            public void progress(Job job, int step, int totalSteps, BufferedImage preview) {
                print("STEP " + job.id() + " " + step + "/" + totalSteps);
            }

            @Override
            public void completed(Job job) {
                print("DONE " + job.id());
            }
        };
        int code = WorkerCommand.run(List.of(args), null, db -> {
            LedgerQuotaGate.createTable(db.dataSource());
            return quota;
        }, printer, System.err);
        System.exit(code);
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
