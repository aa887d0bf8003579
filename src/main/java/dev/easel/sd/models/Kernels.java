package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;

import java.util.Optional;

/**
 * The process-wide choice between fused kernels and op chains, consulted by {@link GroupNorm} and
 * by {@link Attention} layers left on their default kernel {@link #ATTENTION}.
 *
 * <ul>
 *   <li>{@link KernelMode#REFERENCE}: op chains ({@link AttentionKernel#OP_CHAIN}, {@link Ops#groupNorm}).</li>
 *   <li>{@link KernelMode#AUTO} (default): on first use, loads one shared {@link TorchScriptKernels};
 *       if that fails, logs the reason once and uses the op chains (without retrying) until
 *       {@link #closeShared()}. Inputs
 *       that are not PyTorch-engine arrays also take the op chains.</li>
 *   <li>{@link KernelMode#FUSED}: like AUTO, but a call throws {@link IllegalStateException} with
 *       the load failure instead of falling back.</li>
 * </ul>
 * The initial mode comes from the system property {@code easel.kernels} (auto|fused|reference).
 * The shared instance lives until {@link #closeShared()}.
 */
public final class Kernels {
    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

    /** Attention by the current mode: the default kernel of every {@link Attention} layer. */
    public static final AttentionKernel ATTENTION = Kernels::attend;

    private static volatile KernelMode mode = initialMode();

    // Written under Kernels.class: the shared kernels, or why they could not load (one attempt per process).
    private static volatile TorchScriptKernels shared;
    private static String unavailable;

    private Kernels() {
    }

    public static KernelMode mode() {
        return mode;
    }

    public static void setMode(KernelMode newMode) {
        if (newMode == null) {
            throw new IllegalArgumentException("kernel mode must not be null (allowed: auto, fused, reference)");
        }
        mode = newMode;
    }

    /**
     * The shared fused kernels when the mode allows them and they load; empty in REFERENCE mode and
     * in AUTO mode after a failed load. Throws in FUSED mode after a failed load.
     */
    public static Optional<TorchScriptKernels> fused() {
        KernelMode m = mode;
        if (m == KernelMode.REFERENCE) {
            return Optional.empty();
        }
        TorchScriptKernels loaded = shared;
        if (loaded != null) {
            return Optional.of(loaded);
        }
        synchronized (Kernels.class) {
            if (shared == null && unavailable == null) {
                TorchScriptKernels.Load load = TorchScriptKernels.load();
                if (load instanceof TorchScriptKernels.Loaded l) {
                    shared = l.kernels();
                } else {
                    unavailable = ((TorchScriptKernels.Unavailable) load).reason();
                    LOG.log(System.Logger.Level.WARNING,
                            "fused TorchScript kernels unavailable, using op chains: " + unavailable);
                }
            }
            if (shared != null) {
                return Optional.of(shared);
            }
            if (m == KernelMode.FUSED) {
                throw new IllegalStateException("kernel mode 'fused' but the TorchScript kernels did not load: " + unavailable);
            }
            return Optional.empty();
        }
    }

    /** Why the shared kernels did not load, if a load was attempted and failed. */
    public static synchronized Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    /** Closes the shared kernels (if loaded) and forgets a failed load; the next fused call loads again. */
    public static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
        unavailable = null;
    }

    /**
     * Replaces the shared state with a given load outcome, closing the previous kernels: a
     * {@link TorchScriptKernels.Loaded} becomes the shared instance (owned here from now on), an
     * {@link TorchScriptKernels.Unavailable} acts as a failed load (AUTO falls back, FUSED throws).
     */
    static synchronized void install(TorchScriptKernels.Load load) {
        closeShared();
        if (load instanceof TorchScriptKernels.Loaded l) {
            shared = l.kernels();
        } else {
            unavailable = ((TorchScriptKernels.Unavailable) load).reason();
        }
    }

    /** {@link AttentionKernel#attend} by the current mode. */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, float scale, boolean upcast) {
        Optional<TorchScriptKernels> f = usable(q);
        return f.isPresent()
                ? f.get().attend(q, k, v, scale, upcast)
                : AttentionKernel.OP_CHAIN.attend(q, k, v, scale, upcast);
    }

    /** GroupNorm (+ SiLU) by the current mode; see {@link TorchScriptKernels#groupNorm}. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps, boolean silu) {
        Optional<TorchScriptKernels> f = usable(x);
        if (f.isPresent()) {
            return f.get().groupNorm(x, groups, gamma, beta, eps, silu);
        }
        NDArray y = Ops.groupNorm(x, groups, gamma, beta, eps);
        return silu ? Ops.silu(y) : y;
    }

    /** The fused kernels if the mode allows them and x is a PyTorch array (FUSED: must be). */
    private static Optional<TorchScriptKernels> usable(NDArray x) {
        if (mode == KernelMode.AUTO && !(x instanceof PtNDArray)) {
            return Optional.empty();
        }
        return fused();
    }

    private static KernelMode initialMode() {
        String p = System.getProperty("easel.kernels");
        if (p == null || p.isBlank()) {
            return KernelMode.AUTO;
        }
        try {
            return KernelMode.parse(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property easel.kernels: " + e.getMessage(), e);
        }
    }
}
