package dev.easel.adapter.discord;

import dev.easel.application.FakeImageGenerator;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** The fake engine, held at the start of each call until the test lets one call through. */
final class GatedGenerator implements ImageGenerator {
    private final ImageGenerator engine = new FakeImageGenerator();
    private final Semaphore entered = new Semaphore(0);
    private final Semaphore allowed = new Semaphore(0);

    @Override
    public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
        entered.release();
        try {
            if (!allowed.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new GenerationFailedException("the test never let the call through");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenerationFailedException("interrupted");
        }
        return engine.generate(requests);
    }

    @Override
    public int maxBatchImages(int width, int height) {
        return 4;
    }

    /** Waits until a call has started (the job is running). */
    void awaitCall(Duration timeout) throws InterruptedException {
        if (!entered.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the engine was not called within " + timeout);
        }
    }

    void letOneThrough() {
        allowed.release();
    }
}
