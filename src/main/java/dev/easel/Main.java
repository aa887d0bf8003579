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
              web        local web console, admin page, gallery and HTTP API (easel web --help)
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
                case "web" -> {
                    if (List.of(rest).contains("--help")) {
                        System.out.println(WebCommand.USAGE);
                        yield 0;
                    }
                    yield WebCommand.run(List.of(rest), null, null, System.out, System.err);
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
