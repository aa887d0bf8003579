package dev.easel.sd.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** torch.nn.ModuleList: children named 0, 1, 2, … */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public <T extends M> T add(T module) {
        child(Integer.toString(items.size()), module);
        items.add(module);
        return module;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
