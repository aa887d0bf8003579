package dev.easel.adapter.inference;

import ai.djl.engine.EngineException;
import dev.easel.application.GenerationFailedException;
import dev.easel.application.GenerationOutOfMemoryException;
import dev.easel.application.GenerationRequest;
import dev.easel.application.GenerationResult;
import dev.easel.application.ImageGenerator;
import dev.easel.application.ProgressListener;
import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;
import dev.easel.sd.image.ImageConversion;
import dev.easel.sd.image.Resize;
import dev.easel.sd.pipelines.GenerationCancelledException;
import dev.easel.sd.pipelines.StableDiffusionPipeline;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link ImageGenerator} port on Easel's own Stable Diffusion pipeline (DJL, PyTorch engine):
 * GenerationParams → pipeline request → images. Text-to-image requests of several jobs run as
 * one batch (every candidate keeps its own prompt, seed and guidance, so merging changes no pixel);
 * variations and upscales are image-to-image runs.
 *
 * <p>One worker thread drives an instance; the pipeline (and its native memory) belongs to the
 * caller, who closes it.
 */
public final class DjlImageGenerator implements ImageGenerator {
    /** Images × pixels one call may hold: merging beyond this would not fit or not pay off. */
    private final long maxBatchPixels;
    private final StableDiffusionPipeline pipeline;
    private final String modelName;
    private volatile RunStats lastRun;

    /** What the last call measured (for the command line and metrics). */
    public record RunStats(int images, long textEncoderMs, long denoiseMs, int steps, long decodeMs) {
    }

    /**
     * @param modelName      the name jobs use for this model (GenerationParams.model)
     * @param maxBatchPixels the most candidate pixels one call may denoise together; a CPU gains
     *                       nothing from merging (one job's 4 candidates), a GPU does
     */
    public DjlImageGenerator(StableDiffusionPipeline pipeline, String modelName, long maxBatchPixels) {
        this.pipeline = pipeline;
        this.modelName = modelName;
        this.maxBatchPixels = maxBatchPixels;
    }

    /** A sensible batch budget: 8 images at 512² on a GPU, one 4-image job's worth on the CPU. */
    public static long defaultBatchPixels(boolean gpu) {
        return gpu ? 8L * 512 * 512 : 4L * 512 * 512;
    }

    public RunStats lastRun() {
        return lastRun;
    }

    @Override
    public int maxBatchImages(int width, int height) {
        return (int) Math.max(1, maxBatchPixels / ((long) width * height));
    }

    @Override
    public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
        if (requests.isEmpty()) {
            return List.of();
        }
        for (GenerationRequest r : requests) {
            if (!r.params().model().equals(modelName)) {
                throw new GenerationFailedException("model '" + r.params().model() + "' is not loaded here (this worker serves '"
                        + modelName + "')");
            }
        }
        try {
            if (requests.size() == 1 && !(requests.get(0) instanceof GenerationRequest.TextToImage)) {
                return List.of(imageToImage(requests.get(0)));
            }
            for (GenerationRequest r : requests) {
                if (!(r instanceof GenerationRequest.TextToImage)) {
                    throw new GenerationFailedException("image-to-image requests run alone, not merged");
                }
            }
            return textToImage(requests);
        } catch (EngineException | OutOfMemoryError e) {
            if (isOutOfMemory(e)) {
                throw new GenerationOutOfMemoryException("the GPU ran out of memory at " + describe(requests)
                        + "; try a smaller size or fewer images", e);
            }
            throw new GenerationFailedException("the engine failed: " + firstLine(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new GenerationFailedException(e.getMessage(), e);
        }
    }

    /** All requests' candidates in one pipeline run; a request whose listener says stop is answered Cancelled. */
    private List<GenerationResult> textToImage(List<GenerationRequest> requests) {
        GenerationParams first = requests.get(0).params();
        List<dev.easel.sd.pipelines.GenerationRequest.Candidate> all = new ArrayList<>();
        int[] offsets = new int[requests.size() + 1];
        for (int r = 0; r < requests.size(); r++) {
            GenerationRequest.TextToImage t = (GenerationRequest.TextToImage) requests.get(r);
            offsets[r] = all.size();
            for (Candidate c : t.candidates()) {
                all.add(candidate(t.params(), c));
            }
        }
        offsets[requests.size()] = all.size();
        var req = new dev.easel.sd.pipelines.GenerationRequest(all, first.width(), first.height(), first.steps(),
                first.sampler().id(), null, first.tile());
        return run(requests, req, offsets);
    }

    private GenerationResult imageToImage(GenerationRequest request) {
        GenerationParams p = request.params();
        BufferedImage init;
        double strength;
        List<Candidate> candidates;
        int width;
        int height;
        if (request instanceof GenerationRequest.Upscale u) {
            width = u.image().getWidth() * u.scale() / 8 * 8;
            height = u.image().getHeight() * u.scale() / 8 * 8;
            init = Resize.resize(u.image(), width, height);
            strength = u.strength();
            candidates = List.of(u.candidate());
        } else {
            GenerationRequest.ImageToImage v = (GenerationRequest.ImageToImage) request;
            width = p.width();
            height = p.height();
            init = v.initImage().getWidth() == width && v.initImage().getHeight() == height
                    ? v.initImage() : Resize.resize(v.initImage(), width, height);
            strength = v.strength();
            candidates = v.candidates();
        }
        var initImage = new dev.easel.sd.pipelines.GenerationRequest.InitImage(
                ImageConversion.imageToNormalized(init), width, height, strength);
        var req = new dev.easel.sd.pipelines.GenerationRequest(
                candidates.stream().map(c -> candidate(p, c)).toList(), width, height, p.steps(), p.sampler().id(),
                initImage, p.tile());
        return run(List.of(request), req, new int[] {0, candidates.size()}).get(0);
    }

    private static dev.easel.sd.pipelines.GenerationRequest.Candidate candidate(GenerationParams p, Candidate c) {
        return new dev.easel.sd.pipelines.GenerationRequest.Candidate(p.prompt(), p.negativePrompt(), c.seed(), c.guidanceScale());
    }

    /** Runs one pipeline call and splits its images back per request. */
    private List<GenerationResult> run(List<GenerationRequest> requests, dev.easel.sd.pipelines.GenerationRequest req,
                                       int[] offsets) {
        int n = requests.size();
        int[] cancelledAt = new int[n];
        Arrays.fill(cancelledAt, -1);
        dev.easel.sd.pipelines.GenerationResult result;
        try {
            result = pipeline.generate(req, (step, total, previews) -> {
                for (int r = 0; r < n; r++) {
                    if (cancelledAt[r] >= 0) {
                        continue;
                    }
                    ProgressListener l = requests.get(r).listener();
                    BufferedImage preview = l.wantsPreview(step, total) ? previews.candidate(offsets[r]) : null;
                    if (!l.onStep(step, total, preview)) {
                        cancelledAt[r] = step;
                    }
                }
            }, () -> Arrays.stream(cancelledAt).allMatch(s -> s >= 0));
        } catch (GenerationCancelledException e) {
            List<GenerationResult> out = new ArrayList<>();
            for (int s : cancelledAt) {
                out.add(new GenerationResult.Cancelled(s));
            }
            return out;
        }
        var t = result.timings();
        lastRun = new RunStats(result.count(), t.textEncoderMs(), t.denoiseMs(), t.steps(), t.decodeMs());
        List<BufferedImage> images = result.toImages();
        List<GenerationResult> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            out.add(cancelledAt[r] >= 0 ? new GenerationResult.Cancelled(cancelledAt[r])
                    : new GenerationResult.Images(images.subList(offsets[r], offsets[r + 1])));
        }
        return out;
    }

    static boolean isOutOfMemory(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("out of memory") || m.contains("CUDA error: out of memory")
                    || m.contains("DefaultCPUAllocator: can't allocate memory"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(List<GenerationRequest> requests) {
        GenerationParams p = requests.get(0).params();
        int images = requests.stream().mapToInt(GenerationRequest::imageCount).sum();
        return images + " image(s) of " + p.width() + "x" + p.height();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
