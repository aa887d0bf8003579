package dev.easel.sd.models;

import java.util.Locale;

/**
 * Which implementation the models use for attention and group norm (see {@link Kernels}).
 * Set with {@link Kernels#setMode} or the system property {@code easel.kernels}.
 */
public enum KernelMode {
    /** Fused TorchScript kernels where they load; the op chains otherwise. The default. */
    AUTO,
    /** Fused TorchScript kernels only: a call fails with the reason when they cannot load. */
    FUSED,
    /** The op chains (matmul/softmax/matmul, layer-norm based group norm) only: the reference. */
    REFERENCE;

    /** {@code auto}, {@code fused} or {@code reference}, any case, surrounding blanks ignored. */
    public static KernelMode parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        for (KernelMode m : values()) {
            if (m.name().equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown kernel mode '" + text + "' (allowed: auto, fused, reference)");
    }
}
