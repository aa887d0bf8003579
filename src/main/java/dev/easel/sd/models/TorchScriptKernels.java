package dev.easel.sd.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fused libtorch kernels that DJL's PyTorch JNI does not expose as ops:
 * {@code scaled_dot_product_attention} and {@code group_norm} (+ SiLU). They are reached through
 * a small TorchScript module that this class writes (no Python involved) to a temporary archive
 * once per process, loads with DJL's PyTorch engine, and calls method by method. The module has
 * no parameters, so one loaded copy serves CPU and CUDA inputs alike.
 *
 * <p>Outputs are created under libtorch's inference mode: they can feed any out-of-place op, but
 * an in-place op on them ({@code addi}, {@code muli}, ...) throws. Inside the models they always
 * flow into a linear or conv layer first.
 *
 * <p>Owns native resources (the loaded module and its manager): close it, or let
 * {@link Kernels} own the process-wide instance.
 */
public final class TorchScriptKernels implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TorchScriptKernels.class.getName());

    static final String CLASS_NAME = "EaselKernels";

    /**
     * The module's methods (TorchScript: {@code float} is a double, {@code int} a long, {@code torch}
     * resolves to aten ops; 6 is ScalarType Float). Signatures in libtorch 2.7:
     * scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
     * is_causal=False, *, scale=None, enable_gqa=False) = softmax(q kᵀ · scale) v over the last
     * two dims; group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True).
     */
    static final String METHODS = """
                def sdpa(self, q: Tensor, k: Tensor, v: Tensor, scale: float) -> Tensor:
                    return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=scale)
                def sdpa_float32(self, q: Tensor, k: Tensor, v: Tensor, scale: float) -> Tensor:
                    o = torch.scaled_dot_product_attention(torch.to(q, 6), torch.to(k, 6), torch.to(v, 6), None, 0., False, scale=scale)
                    return torch.to(o, ops.prim.dtype(q))
                def group_norm(self, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
                    return torch.group_norm(x, groups, weight, bias, eps, True)
                def group_norm_silu(self, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
                    return torch.silu(torch.group_norm(x, groups, weight, bias, eps, True))
            """;

    /** The archive written for this process, rewritten only if something deleted it. */
    private static Path archive;

    private final NDManager manager;
    private final PtSymbolBlock module;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The outcome of loading the kernels. */
    public sealed interface Load permits Loaded, Unavailable {
    }

    public record Loaded(TorchScriptKernels kernels) implements Load {
    }

    /** @param reason why the engine could not provide the kernels (engine missing, load or self-check failure) */
    public record Unavailable(String reason) implements Load {
    }

    private TorchScriptKernels(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    /**
     * Writes the archive (once per process), loads it with the PyTorch engine and checks every
     * method against the op chains on a tiny input.
     */
    public static Load load() {
        Path path;
        try {
            path = archive();
        } catch (IOException e) {
            return new Unavailable("cannot write the TorchScript archive: " + e);
        }
        return load(path);
    }

    /** Loads and self-checks the archive at {@code path} (which must define {@link #METHODS}). */
    static Load load(Path path) {
        NDManager manager = null;
        try {
            manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
            if (!(manager instanceof PtNDManager pt)) {
                throw new IllegalStateException("engine 'PyTorch' returned a " + manager.getClass().getName());
            }
            PtSymbolBlock block = JniUtils.loadModule(pt, path, false, new String[0], new String[0], false);
            TorchScriptKernels kernels = new TorchScriptKernels(manager, block);
            try {
                kernels.selfCheck();
            } catch (RuntimeException e) {
                kernels.close();
                manager = null;
                throw e;
            }
            return new Loaded(kernels);
        } catch (Exception | LinkageError e) {
            if (manager != null) {
                manager.close();
            }
            String reason = e.getClass().getSimpleName() + ": " + summary(e.getMessage());
            return new Unavailable(reason);
        }
    }

    /** {@link #load()}, logging the reason (WARNING) and returning empty when the kernels are unavailable. */
    public static Optional<TorchScriptKernels> tryCreate() {
        Load load = load();
        if (load instanceof Loaded l) {
            return Optional.of(l.kernels());
        }
        LOG.log(System.Logger.Level.WARNING, "fused TorchScript kernels unavailable, using op chains: "
                + ((Unavailable) load).reason());
        return Optional.empty();
    }

    /** The TorchScript archive of this process: written on first use into a fresh temporary folder. */
    static synchronized Path archive() throws IOException {
        if (archive == null || !Files.isRegularFile(archive)) {
            byte[] bytes = TorchScriptArchive.module(CLASS_NAME, METHODS);
            Path dir = Files.createTempDirectory("easel-kernels-");
            dir.toFile().deleteOnExit(); // deleted after the file: deleteOnExit runs in reverse order
            Path file = dir.resolve(CLASS_NAME + ".pt");
            Files.write(file, bytes);
            file.toFile().deleteOnExit();
            archive = file;
        }
        return archive;
    }

    /** This instance as an {@link AttentionKernel} (for {@link Module#setAttentionKernel}). */
    public AttentionKernel sdpa() {
        return this::attend;
    }

    /**
     * softmax(q kᵀ · scale) v by libtorch's scaled_dot_product_attention (flash / memory-efficient
     * kernels where the device has them: no [N, M] score tensor is kept).
     *
     * @param q      [B, h, N, d]
     * @param k      [B, h, M, d]
     * @param v      [B, h, M, dv]
     * @param upcast for float16 inputs: compute in float32 and return float16 (SD 2.x needs it)
     * @return [B, h, N, dv], in q's manager and type
     */
    public NDArray attend(NDArray q, NDArray k, NDArray v, float scale, boolean upcast) {
        checkOpen();
        Shape qs = q.getShape();
        Shape ks = k.getShape();
        Shape vs = v.getShape();
        if (qs.dimension() != 4 || ks.dimension() != 4 || vs.dimension() != 4) {
            throw new IllegalArgumentException("attention expects q, k, v of rank 4 [B, heads, tokens, dim], got "
                    + qs + ", " + ks + ", " + vs);
        }
        if (qs.get(0) != ks.get(0) || qs.get(1) != ks.get(1) || !ks.slice(0, 3).equals(vs.slice(0, 3))
                || qs.get(3) != ks.get(3)) {
            throw new IllegalArgumentException("attention shapes disagree: q " + qs + ", k " + ks + ", v " + vs
                    + " (allowed: q [B, h, N, d], k [B, h, M, d], v [B, h, M, dv])");
        }
        DataType type = q.getDataType();
        if (k.getDataType() != type || v.getDataType() != type) {
            throw new IllegalArgumentException("attention inputs differ in type: q " + type + ", k "
                    + k.getDataType() + ", v " + v.getDataType());
        }
        String method = upcast && type == DataType.FLOAT16 ? "sdpa_float32" : "sdpa";
        return run(method, q, tensor(q), tensor(k), tensor(v), IValue.from((double) scale));
    }

    /**
     * GroupNorm over [B, C, ...] by libtorch's group_norm: per sample and group of C/G channels,
     * (x − mean) / sqrt(var + eps) · γ + β (biased variance), then SiLU x·σ(x) if {@code silu}.
     *
     * @param gamma [C]
     * @param beta  [C]
     * @return same shape, manager and type as x
     */
    public NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps, boolean silu) {
        checkOpen();
        Shape s = x.getShape();
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("group norm expects [B, C, ...], got " + s);
        }
        long c = s.get(1);
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException("group norm: " + c + " channels do not divide into " + groups
                    + " groups (groups must be positive and divide C)");
        }
        Shape affine = new Shape(c);
        if (!gamma.getShape().equals(affine) || !beta.getShape().equals(affine)) {
            throw new IllegalArgumentException("group norm: weight " + gamma.getShape() + " and bias "
                    + beta.getShape() + " must both be " + affine);
        }
        return run(silu ? "group_norm_silu" : "group_norm", x,
                tensor(x), IValue.from((long) groups), tensor(gamma), tensor(beta), IValue.from((double) eps));
    }

    /** Frees the loaded module; later calls throw. Close only when no call is in flight. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            module.close();
            manager.close();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    private NDArray run(String method, NDArray first, IValue... args) {
        try (IValue out = IValueUtils.runMethod(module, method, args)) {
            return out.toTensor((PtNDManager) first.getManager());
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private static IValue tensor(NDArray a) {
        if (!(a instanceof PtNDArray pt)) {
            throw new IllegalArgumentException("TorchScript kernels need PyTorch-engine arrays, got a "
                    + a.getClass().getName() + " (engine " + a.getManager().getEngine().getEngineName() + ")");
        }
        return IValue.from(pt);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("TorchScript kernels are closed");
        }
    }

    /**
     * Each method against its op chain on small deterministic inputs (no random numbers: the
     * engine's seed is global): cross-attention with N ≠ M, and group norm with and without SiLU.
     */
    private void selfCheck() {
        try (NDManager m = manager.newSubManager()) {
            NDArray q = m.arange(2 * 2 * 3 * 4).reshape(2, 2, 3, 4).toType(DataType.FLOAT32, false).mul(0.37f).sin();
            NDArray k = m.arange(2 * 2 * 5 * 4).reshape(2, 2, 5, 4).toType(DataType.FLOAT32, false).mul(0.53f).cos();
            NDArray v = m.arange(2 * 2 * 5 * 4).reshape(2, 2, 5, 4).toType(DataType.FLOAT32, false).mul(0.29f).sin();
            check("sdpa", attend(q, k, v, 0.5f, false), AttentionKernel.OP_CHAIN.attend(q, k, v, 0.5f, false));
            NDArray x = m.arange(2 * 4 * 3 * 3).reshape(2, 4, 3, 3).toType(DataType.FLOAT32, false).mul(0.71f).sin();
            NDArray gamma = m.create(new float[]{1.1f, 0.9f, 1.2f, 0.8f});
            NDArray beta = m.create(new float[]{0.1f, -0.2f, 0.0f, 0.3f});
            NDArray ref = Ops.groupNorm(x, 2, gamma, beta, 1e-6f);
            check("group_norm", groupNorm(x, 2, gamma, beta, 1e-6f, false), ref);
            check("group_norm_silu", groupNorm(x, 2, gamma, beta, 1e-6f, true), Ops.silu(ref));
        }
    }

    private static void check(String method, NDArray fused, NDArray reference) {
        if (!fused.getShape().equals(reference.getShape())) {
            throw new IllegalStateException("self-check of " + method + ": shape " + fused.getShape()
                    + " instead of " + reference.getShape());
        }
        float err = fused.sub(reference).abs().max().getFloat();
        if (!(err <= 1e-4f)) {
            throw new IllegalStateException("self-check of " + method + ": max abs error " + err + " against the op chain");
        }
    }

    /** The message on one line, blank lines dropped, at most 400 characters (libtorch's are long). */
    private static String summary(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        String oneLine = message.strip().replaceAll("\\s*\\n\\s*", " | ");
        return oneLine.length() <= 400 ? oneLine : oneLine.substring(0, 400) + "...";
    }
}
