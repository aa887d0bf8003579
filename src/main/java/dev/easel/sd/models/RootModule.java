package dev.easel.sd.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.sd.weights.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A whole model (UNet, VAE, text encoder): owns the NDManager that holds its weights. */
public abstract class RootModule extends Module implements AutoCloseable {
    private NDManager weights;

    /** Loads weight files into this model on a new sub-manager of {@code parent}. */
    protected final void loadWeights(List<Path> files, NDManager parent, DataType dtype,
                                     UnaryOperator<String> rename, Set<String> ignored) throws IOException {
        NDManager m = parent.newSubManager();
        try {
            WeightLoader.load(this, files, m, dtype, rename, ignored);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        weights = m;
    }

    /** Seeded random weights (benchmarks, offline demo). */
    public final void randomize(NDManager parent, DataType dtype, long seed) {
        NDManager m = parent.newSubManager();
        RandomWeights.fill(this, m, dtype, seed);
        weights = m;
    }

    /** Seamless tiling on or off for every padded convolution of this model. */
    public final void setCircularPadding(boolean on) {
        visit(m -> {
            if (m instanceof Conv2d c) {
                c.setCircular(on);
            }
        });
    }

    /** The manager holding the weights (null before loading). */
    public final NDManager weightsManager() {
        return weights;
    }

    @Override
    public void close() {
        if (weights != null) {
            weights.close();
            weights = null;
        }
    }
}
