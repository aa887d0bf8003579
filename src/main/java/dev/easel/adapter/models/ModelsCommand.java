package dev.easel.adapter.models;

import dev.easel.config.EaselConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code easel models pull | list | remove | import}: the models folder from the command line. */
public final class ModelsCommand {
    public static final String USAGE = """
            usage: easel models <command> [options]

              pull <repo-id> [--revision R] [--variant fp16] [--name N] [--force]
                  download a Stable Diffusion 1.x/2.x repo in diffusers layout from the Hugging Face hub into
                  models/<name> (default name: the part of the id after '/'). Only the files the pipeline needs,
                  each verified; an interrupted download resumes when you run the same command again.
                  HF_TOKEN: access token for gated or private repos. HF_ENDPOINT: another hub or a mirror.
                  --variant fp16 prefers the half-precision files (default: model.variant of easel.yaml)
              list
                  the installed models, their architecture, size, source and licence; unfinished downloads
              remove <name>
                  delete an installed model (and any unfinished download of that name)
              import <file.safetensors> [--name N] [--arch auto|sd15|sd21|DIR] [--prediction-type T] [--force]
                  convert a single-file SD 1.x/2.x checkpoint (original CompVis key names) into models/<name>.
                  --arch: the architecture's configs (auto: SD 1.5 or 2.1 by the file's keys; DIR: a diffusers
                  folder of the same architecture). --prediction-type epsilon|v_prediction (SD 2.x: 512 px base
                  models predict epsilon, 768 px models v_prediction, the default)

              every command: --config FILE  easel.yaml to read (default config/easel.yaml)""";

    private ModelsCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, ProgressPrinter.forStderr());
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                          ProgressPrinter progress) {
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        Options o;
        try {
            o = Options.parse(args.subList(1, args.size()));
        } catch (IllegalArgumentException e) {
            err.println("easel models " + command + ": " + e.getMessage());
            return 2;
        }
        EaselConfig config;
        try {
            config = EaselConfig.load(o.config, env);
        } catch (IllegalArgumentException e) {
            err.println("easel: " + e.getMessage());
            return 2;
        }
        ModelStore store = new ModelStore(config.model().modelsDir());
        try {
            return switch (command) {
                case "pull" -> pull(o, config, store, out, progress);
                case "list" -> list(o, config, store, out);
                case "remove" -> remove(o, store, out);
                case "import" -> importFile(o, store, out);
                default -> {
                    err.println("easel models: unknown command '" + command + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("easel models " + command + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("easel models " + command + ": " + e.getMessage());
            return 1;
        }
    }

    /** Parsed options: positional arguments and flags. */
    static final class Options {
        final List<String> positional = new ArrayList<>();
        Path config = EaselConfig.DEFAULT_FILE;
        String revision;
        String variant;
        String name;
        String arch = "auto";
        String predictionType;
        boolean force;

        static Options parse(List<String> args) {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--config" -> o.config = Path.of(value(args, ++i, a));
                    case "--revision" -> o.revision = value(args, ++i, a);
                    case "--variant" -> o.variant = value(args, ++i, a);
                    case "--name" -> o.name = value(args, ++i, a);
                    case "--arch" -> o.arch = value(args, ++i, a);
                    case "--prediction-type" -> o.predictionType = value(args, ++i, a);
                    case "--force" -> o.force = true;
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                        }
                        o.positional.add(a);
                    }
                }
            }
            return o;
        }

        String one(String what) {
            if (positional.size() != 1) {
                throw new IllegalArgumentException("expected one " + what + (positional.isEmpty() ? "" : "; got "
                        + positional) + "\n" + USAGE);
            }
            return positional.get(0);
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(i);
        }
    }

    private static int pull(Options o, EaselConfig config, ModelStore store, PrintStream out, ProgressPrinter progress)
            throws IOException {
        String repo = o.one("repo id (owner/name)");
        String variant = o.variant != null ? o.variant : config.model().variantOrNull();
        if (variant != null && variant.isBlank()) {
            variant = null;
        }
        HubClient hub = new HubClient(config.hub().endpoint(), config.hub().token());
        ModelPuller puller = new ModelPuller(hub, store, progress, ModelPuller.Settings.defaults(), Clock.systemUTC());
        ModelPuller.Result r = puller.pull(repo, o.revision, variant, o.name, o.force);
        out.println("installed " + repo + " (commit " + r.commit().substring(0, Math.min(12, r.commit().length()))
                + ") as " + r.dir() + ": " + r.files().size() + " files");
        if (!r.name().equals(config.model().name())) {
            out.println("to use it: set model.name: " + r.name() + " in " + o.config + " (or EASEL_MODEL_NAME="
                    + r.name() + ")");
        }
        return 0;
    }

    private static int list(Options o, EaselConfig config, ModelStore store, PrintStream out) throws IOException {
        List<ModelStore.Installed> models = store.installed();
        List<ModelStore.Partial> partials = store.partials();
        if (models.isEmpty() && partials.isEmpty()) {
            out.println("no models in " + store.root() + ": easel models pull " + config.model().defaultRepo());
            return 0;
        }
        if (!models.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"NAME", "ARCH", "SIZE", "SOURCE", "LICENCE"});
            for (ModelStore.Installed m : models) {
                ModelManifest mf = m.manifest();
                String source;
                if (mf == null) {
                    source = "copied in";
                } else if ("hub".equals(mf.source())) {
                    source = mf.origin() + "@" + (mf.commit() == null ? "?" : mf.commit().substring(0,
                            Math.min(7, mf.commit().length()))) + (mf.variant() == null ? "" : " (" + mf.variant() + ")");
                } else {
                    source = "imported from " + mf.origin();
                }
                rows.add(new String[]{m.name() + (m.name().equals(config.model().name()) ? " *" : ""),
                        m.architecture(), ProgressPrinter.bytes(m.bytes()), source,
                        mf == null || mf.license() == null ? "-" : mf.license()});
            }
            int[] w = new int[5];
            for (String[] r : rows) {
                for (int i = 0; i < 5; i++) {
                    w[i] = Math.max(w[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 5; i++) {
                    sb.append(i == 4 ? r[i] : String.format("%-" + w[i] + "s  ", r[i]));
                }
                out.println(sb.toString().stripTrailing());
            }
            out.println("* = model.name, the model the worker loads");
        }
        for (ModelStore.Partial p : partials) {
            out.println("unfinished: " + p.dir() + " (" + ProgressPrinter.bytes(p.bytes()) + " so far): run the same"
                    + " pull again to resume, or easel models remove " + p.name());
        }
        return 0;
    }

    private static int remove(Options o, ModelStore store, PrintStream out) throws IOException {
        String name = o.one("model name");
        if (!store.remove(name)) {
            throw new IllegalArgumentException("no model named " + name + " in " + store.root()
                    + " (easel models list shows them)");
        }
        out.println("removed " + name);
        return 0;
    }

    private static int importFile(Options o, ModelStore store, PrintStream out) throws IOException {
        Path file = Path.of(o.one("checkpoint file (.safetensors)"));
        CheckpointImporter.Result r = new CheckpointImporter(store, Clock.systemUTC()).importFile(file,
                new CheckpointImporter.Options(o.name, o.arch, o.predictionType, o.force));
        r.notes().forEach(n -> out.println("note: " + n));
        out.println("imported " + file.getFileName() + " (" + (r.family() == CheckpointImporter.Family.SD1
                ? "SD 1.x" : "SD 2.x") + ", " + r.tensors() + " tensors, architecture " + r.arch() + ") as " + r.dir());
        return 0;
    }
}
