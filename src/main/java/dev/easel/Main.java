package dev.easel;

import dev.easel.adapter.discord.BotNotifier;
import dev.easel.adapter.discord.DiscordBot;
import dev.easel.adapter.discord.DiscordSettings;
import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.adapter.web.LocalHttpServer;
import dev.easel.adapter.web.WebConfig;
import dev.easel.adapter.web.WebJobEvents;
import dev.easel.application.ImageGenerator;
import dev.easel.application.JobNotifier;
import dev.easel.config.EaselConfig;
import dev.easel.config.JobsConfig;
import dev.easel.sd.pipelines.StableDiffusionPipeline;
import dev.easel.sd.models.Kernels;
import dev.easel.sd.pipelines.Benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/** Composition root and command-line entry: {@code easel <command> [args…]}. */
public final class Main {
    static final String USAGE = """
            usage: easel <command> [options]

            commands:
              start      run everything one machine needs: database, worker, Discord bot, web console,
                         /healthz and /metrics (easel start --help lists its options)
              imagine    one /imagine job on the command line: easel imagine "<prompt --ar 3:2 …>" [--model DIR] [--out DIR] [--demo]
              models     pull | list | remove | import Stable Diffusion models (easel models help)
              config     check the configuration and print the effective settings and override variables
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

    /** start's engine: the installed model on model.device/precision (or the demo preset), owned by the worker. */
    static ImageGenerator startEngine(EaselConfig config) {
        try {
            StableDiffusionPipeline pipe = EngineModels.open(config);
            return EngineModels.owning(new DjlImageGenerator(pipe, config.jobs().generation().model(),
                    DjlImageGenerator.defaultBatchPixels(pipe.device().isGpu())), pipe);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** start's Discord bot (only called when DISCORD_TOKEN is set): the bot section of easel.yaml and the environment. */
    static StartCommand.RunningBot startBot(EaselConfig config, JobServices services) throws InterruptedException {
        DiscordSettings settings = DiscordSettings.load(config.source(), System.getenv());
        BotNotifier notifier = new BotNotifier();
        DiscordBot bot = new DiscordBot(settings, BotCommand.services(services), notifier, Clock.systemUTC());
        bot.start();
        return new StartCommand.RunningBot() {
            @Override
            public JobNotifier notifier() {
                return notifier;
            }

            @Override
            public State state() {
                return bot.gatewayState();
            }

            @Override
            public void close() {
                bot.close();
            }
        };
    }

    /** start's web console on its HTTP server; its event stream joins the job notifications. */
    static JobNotifier startWebConsole(LocalHttpServer server, EaselConfig config, JobServices services) {
        WebConfig web = WebConfig.load(config.source(), System.getenv());
        WebJobEvents events = new WebJobEvents(Clock.systemUTC());
        WebCommand.attach(web, services, events, server, Clock.systemUTC());
        return events;
    }

    /**
     * The engine for the worker, web and bot commands: config/easel.yaml's model section (and its
     * EASEL_MODEL_* overrides), closed when the process ends.
     */
    static ImageGenerator commandEngine() {
        ImageGenerator engine = startEngine(EaselConfig.load(home().resolve(EaselConfig.DEFAULT_FILE), System.getenv()));
        if (engine instanceof AutoCloseable c) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    c.close();
                } catch (Exception e) {
                    // the process is ending
                }
            }, "easel-engine-close"));
        }
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
                case "start" -> StartCommand.run(List.of(rest), new StartCommand.Wiring(Main::startEngine, null, Main::startBot,
                        Main::startWebConsole), StartCommand.Io.system());
                case "imagine" -> ImagineCommand.run(rest, home().resolve("models"), System.out, System.err);
                case "models" -> dev.easel.adapter.models.ModelsCommand.run(List.of(rest), System.getenv(),
                        System.out, System.err);
                case "config" -> ConfigCommand.run(List.of(rest), System.getenv(), System.out, System.err);
                case "worker" -> WorkerCommand.run(List.of(rest), cfg -> commandEngine(),
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
                    yield WebCommand.run(List.of(rest), cfg -> commandEngine(),
                            System.out, System.err);
                }
                case "bot" -> BotCommand.run(List.of(rest), cfg -> commandEngine(),
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
