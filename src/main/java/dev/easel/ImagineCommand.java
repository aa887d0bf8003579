package dev.easel;

import dev.easel.adapter.inference.DjlImageGenerator;
import dev.easel.adapter.storage.PngMetadata;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGrid;
import dev.easel.application.ImageMetadata;
import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;
import dev.easel.domain.job.ParseResult;
import dev.easel.domain.job.PromptParser;
import dev.easel.domain.job.Sampler;
import dev.easel.sd.image.Png;
import dev.easel.sd.pipelines.Devices;
import dev.easel.sd.pipelines.Presets;
import dev.easel.sd.pipelines.StableDiffusionPipeline;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * {@code easel imagine "<prompt and parameters>" [--model DIR] [--out DIR] [--device D] [--precision P]
 * [--variant V] [--demo]}: one /imagine job on the command line, through the same prompt parser and
 * image generator the bot uses. Writes grid.png and image-1.png … image-N.png (each with its
 * generation parameters) and prints their paths, the seed and the time per stage.
 */
public final class ImagineCommand {
    static final String USAGE = """
            usage: easel imagine "<prompt and parameters>" [--model DIR] [--out DIR] [--device auto|cpu|cuda]
                                 [--precision auto|fp16|fp32] [--variant fp16] [--demo]
              parameters inside the prompt: --ar W:H  --size WxH  --seed N  --no TEXT  --chaos 0-100
                --stylize 0-1000  --q 0.25|0.5|1|2  --tile  --steps N  --cfg X  --sampler NAME
              --model    a diffusers model folder (default: the one model under models/)
              --demo     no model needed: a tiny random-weight model runs the whole path (draws noise)""";

    private ImagineCommand() {
    }

    public static int run(String[] args, Path modelsDir, PrintStream out, PrintStream err) {
        String prompt = null;
        Path model = null;
        Path outDir = Path.of("out");
        String device = "auto";
        String precision = "auto";
        String variant = null;
        boolean demo = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--model", "--out", "--device", "--precision", "--variant" -> {
                    if (i + 1 >= args.length) {
                        err.println("easel imagine: " + a + " needs a value\n" + USAGE);
                        return 2;
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--model" -> model = Path.of(v);
                        case "--out" -> outDir = Path.of(v);
                        case "--device" -> device = v;
                        case "--precision" -> precision = v;
                        default -> variant = v;
                    }
                }
                case "--demo" -> demo = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (prompt != null) {
                        err.println("easel imagine: put the prompt and its parameters in one quoted argument; '"
                                + a + "' is extra\n" + USAGE);
                        return 2;
                    }
                    prompt = a;
                }
            }
        }
        if (prompt == null || prompt.isBlank()) {
            err.println("easel imagine: a prompt is required\n" + USAGE);
            return 2;
        }
        if (model == null && !demo) {
            List<Path> installed = installedModels(modelsDir);
            if (installed.size() == 1) {
                model = installed.get(0);
            } else if (installed.isEmpty()) {
                err.println("""
                        easel imagine: no model is installed under %s.
                          Get Stable Diffusion 1.5:  scripts/easel models pull stable-diffusion-v1-5/stable-diffusion-v1-5
                          (other models: models/README.md), or pass --model DIR for a diffusers folder you have,
                          or try everything offline with --demo (a tiny random-weight model that draws noise)."""
                        .formatted(modelsDir));
                return 2;
            } else {
                err.println("easel imagine: several models are installed (" + String.join(", ",
                        installed.stream().map(p -> p.getFileName().toString()).toList()) + "); choose one with --model");
                return 2;
            }
        }
        try {
            return generate(prompt, model, demo, outDir, device, precision, variant, out, err);
        } catch (IllegalArgumentException e) {
            err.println("easel imagine: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("easel imagine: " + e.getMessage());
            return 1;
        }
    }

    static List<Path> installedModels(Path modelsDir) {
        if (!Files.isDirectory(modelsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(modelsDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("model_index.json"))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int generate(String prompt, Path model, boolean demo, Path outDir, String device, String precision,
                                String variant, PrintStream out, PrintStream err) throws IOException {
        Devices.Choice choice = Devices.choose(device, precision);
        String name = demo && model == null ? "demo-tiny" : model.getFileName().toString();
        long t0 = System.nanoTime();
        try (StableDiffusionPipeline pipe = demo && model == null
                ? Presets.random("tiny", choice.device(), choice.dtype(), 1234)
                : StableDiffusionPipeline.load(model, choice.device(), choice.dtype(),
                variant != null ? variant : choice.device().isGpu() ? "fp16" : null)) {
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            int nativeSize = pipe.unet().config().sampleSize() * 8;
            PromptParser parser = new PromptParser(new PromptParser.Settings(name, Math.max(64, nativeSize / 64 * 64),
                    30, 7.5, Sampler.DEFAULT, 2048, PromptParser.ABSOLUTE_MAX_STEPS, 4, PromptParser.MAX_STORED_PROMPT));
            ParseResult parsed = parser.parse(prompt);
            if (parsed instanceof ParseResult.Invalid invalid) {
                err.println("easel imagine: " + invalid.message());
                return 2;
            }
            GenerationParams params = ((ParseResult.Parsed) parsed).params();
            if (params.seed().isEmpty()) {
                params = params.withSeed(ThreadLocalRandom.current().nextLong(GenerationParams.MAX_SEED + 1));
            }
            out.printf(Locale.ROOT, "model %s on %s; %dx%d, %d steps, %s, cfg %s, seed %d%n", name, choice.describe(),
                    params.width(), params.height(), params.steps(), params.sampler().id(), params.guidanceScale(),
                    params.seed().getAsLong());
            boolean tty = System.console() != null;
            DjlImageGenerator engine = new DjlImageGenerator(pipe, name, DjlImageGenerator.defaultBatchPixels(choice.device().isGpu()));
            List<GenerationResult> results;
            try {
                results = engine.generate(List.of(new GenerationRequest.TextToImage(params, params.candidates(),
                        (step, steps, preview) -> {
                            if (tty) {
                                err.printf(Locale.ROOT, "\rstep %d/%d", step, steps);
                                if (step == steps) {
                                    err.println();
                                }
                            }
                            return true;
                        })));
            } catch (GenerationFailedException e) {
                err.println("easel imagine: " + e.reason());
                return 1;
            }
            List<BufferedImage> images = ((GenerationResult.Images) results.get(0)).images();
            long t1 = System.nanoTime();
            Files.createDirectories(outDir);
            List<Candidate> candidates = params.candidates();
            List<Path> written = new ArrayList<>();
            Path grid = outDir.resolve("grid.png");
            Files.write(grid, Png.encode(ImageGrid.compose(images), PngMetadata.textChunks(ImageMetadata.of(params, null, params.seed().getAsLong()))));
            written.add(grid);
            for (int i = 0; i < images.size(); i++) {
                Path p = outDir.resolve("image-" + (i + 1) + ".png");
                Files.write(p, Png.encode(images.get(i), PngMetadata.textChunks(ImageMetadata.of(params, candidates.get(i), 0))));
                written.add(p);
            }
            long writeMs = (System.nanoTime() - t1) / 1_000_000;
            written.forEach(p -> out.println(p));
            DjlImageGenerator.RunStats s = engine.lastRun();
            out.printf(Locale.ROOT, "seed %d (candidate i uses seed %d + i - 1)%n", params.seed().getAsLong(), params.seed().getAsLong());
            out.printf(Locale.ROOT, "time: load %d ms, text encoder %d ms, denoise %d ms (%d steps, %.0f ms/step), decode %d ms, write %d ms%n",
                    loadMs, s.textEncoderMs(), s.denoiseMs(), s.steps(), s.steps() == 0 ? 0.0 : (double) s.denoiseMs() / s.steps(),
                    s.decodeMs(), writeMs);
            if (demo && model == null) {
                out.println("(demo: random weights, so the pictures are noise; install a model for real images)");
            }
            return 0;
        }
    }
}
