package dev.easel.sd.clip;

import ai.djl.ndarray.NDArray;
import dev.easel.sd.models.Linear;
import dev.easel.sd.models.Module;
import dev.easel.sd.models.Ops;

/** transformers' CLIPMLP: fc2(act(fc1(x))), C -> intermediate -> C. */
final class CLIPMLP extends Module {
    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    CLIPMLP(CLIPTextConfig config) {
        this.fc1 = child("fc1", new Linear(config.hiddenSize(), config.intermediateSize()));
        this.fc2 = child("fc2", new Linear(config.intermediateSize(), config.hiddenSize()));
        this.quickGelu = config.hiddenAct().equals("quick_gelu");
    }

    /** [B, S, C] -> [B, S, C] */
    NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x); // [B, S, I]
        h = quickGelu ? Ops.quickGelu(h) : Ops.gelu(h); // x·σ(1.702x) or x·Φ(x)
        return fc2.forward(h);
    }
}
