package dev.easel.testing;

import dev.easel.StartCommand;
import dev.easel.application.FakeImageGenerator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code easel start} as a child process for shutdown tests: the placeholder engine with a fixed time per step
 * ({@code --step-ms N} before the start options) and the ledger quota, so the parent can check charges.
 */
public final class StartChild {
    private StartChild() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        long stepMs = 0;
        if (!rest.isEmpty() && rest.get(0).equals("--step-ms")) {
            stepMs = Long.parseLong(rest.get(1));
            rest = rest.subList(2, rest.size());
        }
        Duration step = Duration.ofMillis(stepMs);
        int code = StartCommand.run(rest, new StartCommand.Wiring(
                config -> new FakeImageGenerator(FakeImageGenerator.Options.fast().withStepDelay(step)),
                (config, db) -> {
                    LedgerQuotaGate.createTable(db.dataSource());
                    return new LedgerQuotaGate(2, 1000);
                }, null, null), StartCommand.Io.system());
        System.exit(code);
    }
}
