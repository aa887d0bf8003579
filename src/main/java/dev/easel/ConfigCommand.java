package dev.easel;

import dev.easel.config.EaselConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code easel config}: checks easel.yaml and the environment the way start-up does, prints the effective settings
 * (secrets masked) and the environment variable of every key.
 */
public final class ConfigCommand {
    public static final String USAGE = """
            usage: easel config [--config FILE]
              checks the configuration like start-up does and prints the effective settings (secrets masked)
              and the environment variable that overrides each key""";

    private ConfigCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Path file = EaselConfig.DEFAULT_FILE;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--config") && i + 1 < args.size()) {
                file = Path.of(args.get(++i));
            } else {
                err.println("easel config: unknown option " + args.get(i) + "\n" + USAGE);
                return 2;
            }
        }
        EaselConfig c;
        try {
            c = EaselConfig.load(file, env);
        } catch (IllegalArgumentException e) {
            err.println("easel: " + e.getMessage());
            return 2;
        }
        out.println("# " + file + (java.nio.file.Files.exists(file) ? "" : " (missing: all defaults)")
                + " + environment; secrets masked");
        out.println("bot:        " + c.bot());
        out.println("model:      " + c.model() + " -> " + c.model().dir());
        out.println("http:       " + c.http());
        out.println("hub:        " + c.hub());
        out.println("log:        " + c.logFormat().name().toLowerCase(java.util.Locale.ROOT));
        out.println("shutdown:   " + c.shutdownTimeout().toMillis() / 1000.0 + " s");
        out.println("database:   " + c.jobs().database());
        out.println("storage:    " + c.jobs().imagesDir());
        out.println("generation: " + c.jobs().generation());
        out.println("queue:      " + c.jobs().queue() + " " + c.jobs().caps());
        out.println("worker:     " + c.jobs().worker());
        out.println("quota:      " + c.plansFile() + " (" + c.plans().plans().size() + " plans)");
        out.println();
        out.println("# environment overrides (EASEL_<SECTION>_<KEY>); set here: " + env.keySet().stream()
                .filter(k -> k.startsWith("EASEL_") || k.equals("DISCORD_TOKEN") || k.startsWith("HF_")).sorted().toList());
        EaselConfig.environmentOverrides().forEach((key, var) -> out.println(String.format("%-40s %s", key, var)));
        out.println(String.format("%-40s %s", "(bot token)", "DISCORD_TOKEN"));
        out.println(String.format("%-40s %s", "(hub token / endpoint)", "HF_TOKEN / HF_ENDPOINT"));
        return 0;
    }
}
