package dev.easel.sd.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.models.Kernels;
import dev.easel.sd.schedulers.Schedulers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Engine benchmark: times the text encoder, one UNet step at batch 2 and 8, the VAE decoder,
 * and whole jobs (4 candidates with guidance) per sampler, on a preset architecture (SD 1.5 by
 * default) with random weights — the cost is the real one, the pictures are noise. Prints a
 * Markdown table. Never run by tests.
 *
 * <pre>
 * easel bench [--preset sd15|sd21|tiny] [--sizes 256,512] [--batches 2,8] [--repeat 3]
 *             [--job-size 256] [--job-steps 25] [--samplers euler_a,ddim|all|none]
 *             [--device auto|cpu|cuda] [--precision auto|fp16|fp32]
 * </pre>
 */
public final class Benchmark {
    private String preset = "sd15";
    private int[] sizes = {256, 512};
    private int[] batches = {2, 8};
    private int repeat = 3;
    private int jobSize = 256;
    private int jobSteps = 25;
    private List<String> samplers = List.of("euler_a");
    private String device = "auto";
    private String precision = "auto";

    public static void main(String[] args) throws IOException {
        new Benchmark().parse(args).run(System.out);
    }

    Benchmark parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("bench: " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--preset" -> preset = v;
                case "--sizes" -> sizes = ints(a, v);
                case "--batches" -> batches = ints(a, v);
                case "--repeat" -> repeat = ints(a, v)[0];
                case "--job-size" -> jobSize = ints(a, v)[0];
                case "--job-steps" -> jobSteps = ints(a, v)[0];
                case "--samplers" -> samplers = v.equals("all") ? Schedulers.names() : v.equals("none") ? List.of()
                        : Arrays.asList(v.split(","));
                case "--device" -> device = v;
                case "--precision" -> precision = v;
                default -> throw new IllegalArgumentException("bench: unknown option " + a
                        + " (known: --preset --sizes --batches --repeat --job-size --job-steps --samplers --device --precision)");
            }
        }
        for (int s : sizes) {
            if (s % 8 != 0 || s < 64) {
                throw new IllegalArgumentException("bench: sizes must be multiples of 8 of at least 64, got " + s);
            }
        }
        return this;
    }

    private static int[] ints(String opt, String v) {
        try {
            return Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bench: " + opt + " takes whole numbers separated by commas, got '" + v + "'");
        }
    }

    void run(PrintStream out) throws IOException {
        Devices.Choice choice = Devices.choose(device, precision);
        out.printf(Locale.ROOT, "Easel engine benchmark: preset %s (random weights), %s, %s, %d threads (%s), kernels %s%n",
                preset, choice.describe(), cpuModel(), threads(), System.getProperty("os.arch"),
                Kernels.fused().isPresent() ? "fused (" + Kernels.mode() + ")" : "op chains (" + Kernels.unavailableReason().orElse(Kernels.mode().toString()) + ")");
        out.println();
        out.println("| part | shape | median ms | runs | peak RSS GiB |");
        out.println("|---|---|---:|---:|---:|");
        try (StableDiffusionPipeline pipe = Presets.random(preset, choice.device(), choice.dtype(), 1234)) {
            NDManager m = NDManager.newBaseManager(choice.device());
            try {
                int ctxDim = pipe.textEncoder().config().hiddenSize();
                row(out, "text encoder", "2×77 tokens", time(() -> {
                    try (NDManager s = m.newSubManager()) {
                        NDArray ids = s.create(new long[2 * 77], new Shape(2, 77));
                        return pipe.textEncoder().promptEmbeds(ids, 0).getShape();
                    }
                }));
                for (int size : sizes) {
                    int l = size / 8;
                    for (int b : batches) {
                        row(out, "UNet step", "batch " + b + ", " + size + "×" + size + " (latent " + l + "×" + l + ")", time(() -> {
                            try (NDManager s = m.newSubManager()) {
                                NDArray x = s.randomNormal(new Shape(b, 4, l, l)).toType(choice.dtype(), false);
                                NDArray ctx = s.randomNormal(new Shape(b, 77, ctxDim)).toType(choice.dtype(), false);
                                return pipe.unet().forward(x, s.create(500f), ctx).toType(DataType.FLOAT32, false).getShape();
                            }
                        }));
                    }
                    row(out, "VAE decode", "1×" + size + "×" + size, time(() -> {
                        try (NDManager s = m.newSubManager()) {
                            NDArray z = s.randomNormal(new Shape(1, 4, l, l)).toType(choice.dtype(), false);
                            return pipe.vae().decode(z).getShape();
                        }
                    }));
                }
            } finally {
                m.close();
            }
            for (String sampler : samplers) {
                GenerationRequest req = new GenerationRequest("a lighthouse at dusk", "", jobSize, jobSize, jobSteps, 7.0,
                        sampler, GenerationRequest.consecutiveSeeds(42, 4), null);
                long t0 = System.nanoTime();
                GenerationResult r = pipe.generate(req, ProgressListener.NONE, () -> false);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                out.printf(Locale.ROOT, "| whole job, %s | 4 candidates, %d steps, guidance, %d×%d (text %d ms, %.0f ms/step, decode %d ms) | %d | 1 | %.1f |%n",
                        sampler, jobSteps, jobSize, jobSize, r.timings().textEncoderMs(), r.timings().msPerStep(),
                        r.timings().decodeMs(), ms, peakRssGiB());
                out.flush();
            }
        }
    }

    private record Timing(long medianMs, int runs) {
    }

    private Timing time(Supplier<Object> body) {
        body.get(); // warm-up: first calls pay for allocation and kernel selection
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            body.get();
            ms.add((System.nanoTime() - t0) / 1_000_000);
        }
        ms.sort(null);
        return new Timing(ms.get(ms.size() / 2), repeat);
    }

    private static void row(PrintStream out, String part, String shape, Timing t) {
        out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.1f |%n", part, shape, t.medianMs(), t.runs(), peakRssGiB());
        out.flush();
    }

    /** The process's resident-memory high-water mark (VmHWM), weights included; 0 where /proc is absent. */
    static double peakRssGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / (1024.0 * 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    static int threads() {
        return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.name");
    }
}
