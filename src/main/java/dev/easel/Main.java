package dev.easel;

import dev.easel.application.JobNotifier;
import dev.easel.config.JobsConfig;
import dev.easel.sd.models.Kernels;
import dev.easel.sd.pipelines.Benchmark;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/** Composition root and command-line entry: {@code easel <command> [args…]}. */
public final class Main {
    static final String USAGE = """
            usage: easel <command> [options]

            commands:
              imagine    one /imagine job on the command line: easel imagine "<prompt --ar 3:2 …>" [--model DIR] [--out DIR] [--demo]
              worker     run generation workers on the configured database (see easel worker --help)
              loadbench  queue throughput, latency and fairness against a fake engine
              bench      time the engine parts and whole jobs on random weights (prints a table)
              web        local web console, admin page, gallery and HTTP API (easel web --help)
              bot        the Discord bot (DISCORD_TOKEN; easel bot --help)
              help       this text
            """;

    /** The install folder (scripts/easel sets EASEL_HOME), else the working directory. */
    static Path home() {
        String h = System.getenv("EASEL_HOME");
        return h == null || h.isBlank() ? Path.of(".") : Path.of(h);
    }

    /** Opens the engine for a configured model; it is closed when the process ends. */
    static EngineFactory.Engine openEngine(String model) {
        EngineFactory.Engine engine = EngineFactory.open(Path.of("models"), model,
                System.getenv().getOrDefault("EASEL_DEVICE", "auto"), System.getenv().getOrDefault("EASEL_PRECISION", "auto"),
                System.getenv("EASEL_MODEL_VARIANT"));
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "easel-engine-close"));
        return engine;
    }

    static {
        // DJL must neither download natives nor call home unless the operator says otherwise
        // (scripts/easel sets the same; this covers `java -jar` and IDE runs).
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code;
        try {
            code = switch (args[0]) {
                case "imagine" -> ImagineCommand.run(rest, home().resolve("models"), System.out, System.err);
                case "worker" -> WorkerCommand.run(List.of(rest), cfg -> openEngine(cfg.generation().model()).generator(),
                        JobServices.planQuota(JobsConfig.load(Path.of("config/easel.yaml"), System.getenv()),
                                JobServices.loadPlans(Path.of("config/plans.yaml")), Clock.systemUTC()),
                        JobNotifier.NONE, System.err);
                case "loadbench" -> LoadBenchCommand.run(List.of(rest), System.out, System.err);
                case "bench" -> {
                    Benchmark.main(rest);
                    yield 0;
                }
                case "web" -> {
                    if (List.of(rest).contains("--help")) {
                        System.out.println(WebCommand.USAGE);
                        yield 0;
                    }
                    yield WebCommand.run(List.of(rest), cfg -> openEngine(cfg.generation().model()).generator(),
                            System.out, System.err);
                }
                case "bot" -> BotCommand.run(List.of(rest), cfg -> openEngine(cfg.generation().model()).generator(),
                        System.getenv(), System.out, System.err);
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
