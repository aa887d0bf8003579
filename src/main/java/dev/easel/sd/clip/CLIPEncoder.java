package dev.easel.sd.clip;

import dev.easel.sd.models.Module;
import dev.easel.sd.models.ModuleList;

/** transformers' CLIPEncoder: the stack {@code layers.0 … layers.N-1}; run by {@link CLIPTextModel}. */
final class CLIPEncoder extends Module {
    final ModuleList<CLIPEncoderLayer> layers;

    CLIPEncoder(CLIPTextConfig config) {
        this.layers = child("layers", new ModuleList<>());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new CLIPEncoderLayer(config));
        }
    }
}
