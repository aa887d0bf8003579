package dev.easel;

import dev.easel.sd.models.Kernels;
import dev.easel.sd.pipelines.Benchmark;

import java.util.Arrays;

/** Composition root and command-line entry: {@code easel <command> [args…]}. */
public final class Main {
    static final String USAGE = """
            usage: easel <command> [options]

            commands:
              start      run everything one machine needs: database, worker, Discord bot, /healthz and /metrics
                         (easel start --help lists its options)
              models     pull | list | remove | import Stable Diffusion models (easel models help)
              config     check the configuration and print the effective settings and override variables
              bench      time the engine parts and whole jobs on random weights (prints a table)
              help       this text
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code;
        try {
            code = switch (args[0]) {
                case "start" -> StartCommand.run(java.util.List.of(rest), new StartCommand.Wiring(
                        config -> {
                            throw new IllegalStateException("no Stable Diffusion engine adapter is wired into this"
                                    + " build (Main: start's engine factory)");
                        },
                        (config, db) -> JobServices.configQuota(config.jobs()), null, null),
                        StartCommand.Io.system());
                case "models" -> dev.easel.adapter.models.ModelsCommand.run(java.util.List.of(rest), System.getenv(),
                        System.out, System.err);
                case "config" -> ConfigCommand.run(java.util.List.of(rest), System.getenv(), System.out, System.err);
                case "bench" -> {
                    Benchmark.main(rest);
                    yield 0;
                }
                default -> {
                    System.err.println("easel: unknown command '" + args[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            System.err.println("easel: " + e.getMessage());
            code = 2;
        } finally {
            Kernels.closeShared();
        }
        System.exit(code);
    }
}
