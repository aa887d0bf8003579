package dev.easel.sd.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Times the op chains against the fused TorchScript kernels and prints a table (median of
 * {@code reps} runs after one warm-up; each run inside an {@link NDScope}, so memory is freed
 * between runs). Never part of a build: run it by hand, e.g.
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -cp target/easel.jar:target/lib/* \
 *      dev.easel.sd.models.KernelBench [reps]
 * </pre>
 */
public final class KernelBench {
    private KernelBench() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (reps < 1) {
            throw new IllegalArgumentException("reps must be at least 1, got " + reps);
        }
        TorchScriptKernels kernels = TorchScriptKernels.tryCreate().orElseThrow(() ->
                new IllegalStateException("the fused kernels did not load (the warning above says why)"));
        try (kernels; NDManager manager = NDManager.newBaseManager()) {
            Engine engine = manager.getEngine();
            System.out.printf(Locale.ROOT, "engine %s %s, device %s, %d run(s) after 1 warm-up, median ms%n",
                    engine.getEngineName(), engine.getVersion(), manager.getDevice(), reps);
            System.out.printf(Locale.ROOT, "%-34s %12s %12s %9s %12s%n", "op", "op chain", "fused", "speed-up", "max |diff|");
            engine.setRandomSeed(0);
            attention(manager, kernels, reps, 1, 8, 4096, 4096, 40);
            attention(manager, kernels, reps, 1, 8, 1024, 1024, 80);
            attention(manager, kernels, reps, 2, 8, 4096, 77, 40);
            groupNorm(manager, kernels, reps, new Shape(1, 320, 64, 64), false);
            groupNorm(manager, kernels, reps, new Shape(1, 320, 64, 64), true);
            groupNorm(manager, kernels, Math.max(reps, 200), new Shape(1, 32, 2, 2), true);
        }
    }

    private static void attention(NDManager manager, TorchScriptKernels kernels, int reps,
                                  int b, int h, int n, int m, int d) {
        NDArray q = manager.randomNormal(new Shape(b, h, n, d));
        NDArray k = manager.randomNormal(new Shape(b, h, m, d));
        NDArray v = manager.randomNormal(new Shape(b, h, m, d));
        float scale = (float) (1 / Math.sqrt(d));
        row(String.format(Locale.ROOT, "attention %dx%dx%dx%d%s", b, h, n, d, m == n ? "" : " M=" + m),
                reps,
                () -> AttentionKernel.OP_CHAIN.attend(q, k, v, scale, false),
                () -> kernels.attend(q, k, v, scale, false));
    }

    private static void groupNorm(NDManager manager, TorchScriptKernels kernels, int reps, Shape shape, boolean silu) {
        NDArray x = manager.randomNormal(shape);
        NDArray gamma = manager.randomNormal(new Shape(shape.get(1))).add(1);
        NDArray beta = manager.randomNormal(new Shape(shape.get(1)));
        String name = "group norm" + (silu ? "+silu " : " ") + shape.toString().replace(", ", "x");
        row(name, reps,
                () -> {
                    NDArray y = Ops.groupNorm(x, 32, gamma, beta, 1e-6f);
                    return silu ? Ops.silu(y) : y;
                },
                () -> kernels.groupNorm(x, 32, gamma, beta, 1e-6f, silu));
    }

    /** Times both sides, then prints them with the largest difference between their results. */
    private static void row(String name, int reps, Supplier<NDArray> opChain, Supplier<NDArray> fused) {
        double chainMs = median(reps, opChain);
        double fusedMs = median(reps, fused);
        float diff;
        try (NDScope scope = new NDScope()) {
            diff = opChain.get().sub(fused.get()).abs().max().getFloat();
            scope.suppressNotUsedWarning();
        }
        System.out.printf(Locale.ROOT, "%-34s %12.3f %12.3f %8.1fx %12.2e%n", name, chainMs, fusedMs, chainMs / fusedMs, diff);
    }

    private static double median(int reps, Supplier<NDArray> op) {
        double[] ms = new double[reps];
        for (int i = -1; i < reps; i++) {
            try (NDScope scope = new NDScope()) { // closes the op's result and intermediates
                long t0 = System.nanoTime();
                op.get(); // libtorch runs synchronously on the CPU
                long t1 = System.nanoTime();
                if (i >= 0) {
                    ms[i] = (t1 - t0) / 1e6;
                }
                scope.suppressNotUsedWarning();
            }
        }
        Arrays.sort(ms);
        return reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
    }
}
