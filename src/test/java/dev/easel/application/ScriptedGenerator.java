package dev.easel.application;

import java.util.ArrayList;
import java.util.List;

/**
 * Wraps the fake engine for tests: records each call's request count, fails calls containing a prompt with
 * "boom" (a {@link GenerationFailedException}) or "crash" (an unchecked exception).
 */
final class ScriptedGenerator implements ImageGenerator {
    private final FakeImageGenerator engine;
    private final List<Integer> calls = new ArrayList<>();

    ScriptedGenerator(FakeImageGenerator engine) {
        this.engine = engine;
    }

    @Override
    public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
        synchronized (calls) {
            calls.add(requests.size());
        }
        for (GenerationRequest r : requests) {
            if (r.params().prompt().contains("boom")) {
                throw new GenerationFailedException("the engine cannot draw \"" + r.params().prompt() + "\"");
            }
            if (r.params().prompt().contains("crash")) {
                throw new IllegalStateException("tensor shape mismatch");
            }
        }
        return engine.generate(requests);
    }

    @Override
    public int maxBatchImages(int width, int height) {
        return engine.maxBatchImages(width, height);
    }

    List<Integer> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}
