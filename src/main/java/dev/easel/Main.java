package dev.easel;

import dev.easel.sd.models.Kernels;
import dev.easel.sd.pipelines.Benchmark;

import java.util.Arrays;
import java.util.List;

/** Composition root and command-line entry: {@code easel <command> [args…]}. */
public final class Main {
    static final String USAGE = """
            usage: easel <command> [options]

            commands:
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
                case "bench" -> {
                    Benchmark.main(rest);
                    yield 0;
                }
                case "bot" -> BotCommand.run(List.of(rest), System.getenv(), System.err);
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
