package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import dev.easel.sd.models.Module;
import dev.easel.sd.models.Parameter;

/** torch.nn.Embedding: a lookup table, weight [num, dim]. */
final class Embedding extends Module {
    private final Parameter weight;

    Embedding(int num, int dim) {
        this.weight = parameter("weight", num, dim);
    }

    /** int64 ids [...] -> [..., dim], in the ids' manager. */
    NDArray forward(NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight.get(), SparseFormat.DENSE).singletonOrThrow();
    }
}
