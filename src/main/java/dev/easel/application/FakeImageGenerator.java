package dev.easel.application;

import dev.easel.domain.job.Candidate;
import dev.easel.domain.job.GenerationParams;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fast, deterministic stand-in for the diffusion engine, for load benchmarks, demos and tests: it draws a
 * seeded picture (gradient and shapes) per candidate with java.awt. It honours the {@link ImageGenerator}
 * contract: a candidate's pixels depend only on its request and candidate, every request's listener is called
 * each step, a listener returning false cancels that request only.
 *
 * <p>Image to image blends the init image with the candidate's picture by {@code strength}; upscale enlarges by
 * {@code scale} with bilinear filtering plus seeded grain scaled by {@code strength}. A step costs
 * {@code stepDelay} whatever the batch size (like a GPU far from saturation), so merging jobs raises throughput.
 *
 * @see Options
 */
public final class FakeImageGenerator implements ImageGenerator {

    /**
     * @param stepDelay              time one denoising step takes (zero: as fast as drawing)
     * @param maxBatchImages         what {@link #maxBatchImages} answers
     * @param outOfMemoryAboveImages calls with more images than this throw {@link GenerationOutOfMemoryException}
     */
    public record Options(Duration stepDelay, int maxBatchImages, int outOfMemoryAboveImages) {
        public static Options fast() {
            return new Options(Duration.ZERO, 8, Integer.MAX_VALUE);
        }

        public Options withStepDelay(Duration delay) {
            return new Options(delay, maxBatchImages, outOfMemoryAboveImages);
        }
    }

    private final Options options;

    public FakeImageGenerator(Options options) {
        this.options = options;
    }

    public FakeImageGenerator() {
        this(Options.fast());
    }

    @Override
    public int maxBatchImages(int width, int height) {
        return options.maxBatchImages();
    }

    @Override
    public List<GenerationResult> generate(List<GenerationRequest> requests) throws GenerationFailedException {
        int images = requests.stream().mapToInt(GenerationRequest::imageCount).sum();
        if (images > options.outOfMemoryAboveImages()) {
            throw new GenerationOutOfMemoryException("fake engine: " + images + " images do not fit (limit "
                    + options.outOfMemoryAboveImages() + ")");
        }
        int n = requests.size();
        int[] total = new int[n];
        int[] stoppedAt = new int[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            total[i] = steps(requests.get(i));
            longest = Math.max(longest, total[i]);
        }
        for (int step = 1; step <= longest; step++) {
            pause();
            for (int i = 0; i < n; i++) {
                GenerationRequest r = requests.get(i);
                if (stoppedAt[i] > 0 || step > total[i]) {
                    continue;
                }
                BufferedImage preview = r.listener().wantsPreview(step, total[i]) ? preview(r, step, total[i]) : null;
                if (!r.listener().onStep(step, total[i], preview)) {
                    stoppedAt[i] = step;
                }
            }
            if (allStopped(stoppedAt)) {
                break;
            }
        }
        List<GenerationResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(stoppedAt[i] > 0 ? new GenerationResult.Cancelled(stoppedAt[i])
                    : new GenerationResult.Images(render(requests.get(i))));
        }
        return out;
    }

    private static boolean allStopped(int[] stoppedAt) {
        for (int s : stoppedAt) {
            if (s == 0) {
                return false;
            }
        }
        return true;
    }

    private void pause() throws GenerationFailedException {
        if (options.stepDelay().isZero()) {
            return;
        }
        try {
            Thread.sleep(options.stepDelay().toMillis(), options.stepDelay().toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenerationFailedException("interrupted", e);
        }
    }

    /** Image-to-image and upscale skip the first (1 − strength) of the schedule, as diffusers does. */
    private static int steps(GenerationRequest r) {
        int steps = r.params().steps();
        if (r instanceof GenerationRequest.ImageToImage i) {
            return Math.max(1, (int) Math.round(steps * i.strength()));
        }
        if (r instanceof GenerationRequest.Upscale u) {
            return Math.max(1, (int) Math.round(steps * u.strength()));
        }
        return steps;
    }

    private static List<BufferedImage> render(GenerationRequest request) {
        GenerationParams p = request.params();
        List<BufferedImage> out = new ArrayList<>();
        if (request instanceof GenerationRequest.TextToImage t) {
            for (Candidate c : t.candidates()) {
                out.add(draw(p, c, p.width(), p.height()));
            }
        } else if (request instanceof GenerationRequest.ImageToImage i) {
            BufferedImage init = resize(i.initImage(), p.width(), p.height());
            for (Candidate c : i.candidates()) {
                out.add(blend(init, draw(p, c, p.width(), p.height()), i.strength()));
            }
        } else if (request instanceof GenerationRequest.Upscale u) {
            out.add(grain(resize(u.image(), u.image().getWidth() * u.scale(), u.image().getHeight() * u.scale()),
                    u.candidate().seed(), u.strength()));
        }
        return out;
    }

    /** A seeded picture: a two-colour gradient and 3–7 shapes; guidance sets the shapes' opacity. */
    static BufferedImage draw(GenerationParams p, Candidate c, int width, int height) {
        long mix = c.seed() * 0x9E3779B97F4A7C15L ^ p.prompt().hashCode() * 0xC2B2AE3D27D4EB4FL
                ^ p.negativePrompt().hashCode() ^ ((long) p.steps() << 40) ^ ((long) p.sampler().ordinal() << 52)
                ^ p.model().hashCode();
        SplittableRandom rnd = new SplittableRandom(mix);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setPaint(new GradientPaint(0, 0, color(rnd), width, height, color(rnd)));
            g.fillRect(0, 0, width, height);
            float alpha = (float) Math.min(1.0, 0.25 + c.guidanceScale() / 15.0);
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, alpha));
            int shapes = 3 + rnd.nextInt(5);
            for (int s = 0; s < shapes; s++) {
                g.setColor(color(rnd));
                int w = width / 8 + rnd.nextInt(Math.max(1, width / 2));
                int h = height / 8 + rnd.nextInt(Math.max(1, height / 2));
                int x = rnd.nextInt(width);
                int y = rnd.nextInt(height);
                boolean oval = rnd.nextBoolean();
                // Tiling: also draw the wrapped copies so the picture repeats seamlessly.
                int[] dx = p.tile() ? new int[] {-width, 0} : new int[] {0};
                int[] dy = p.tile() ? new int[] {-height, 0} : new int[] {0};
                for (int ox : dx) {
                    for (int oy : dy) {
                        if (oval) {
                            g.fillOval(x + ox, y + oy, w, h);
                        } else {
                            g.fillRect(x + ox, y + oy, w, h);
                        }
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Color color(SplittableRandom rnd) {
        return new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
    }

    private static BufferedImage preview(GenerationRequest r, int step, int total) {
        GenerationParams p = r.params();
        int w = Math.max(8, p.width() / 8);
        int h = Math.max(8, p.height() / 8);
        Candidate first;
        if (r instanceof GenerationRequest.TextToImage t) {
            first = t.candidates().get(0);
        } else if (r instanceof GenerationRequest.ImageToImage i) {
            first = i.candidates().get(0);
        } else {
            first = ((GenerationRequest.Upscale) r).candidate();
        }
        BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = gray.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return blend(gray, draw(p, first, w, h), (double) step / total);
    }

    private static BufferedImage resize(BufferedImage src, int width, int height) {
        if (src.getWidth() == width && src.getHeight() == height && src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Per channel: out = a·(1 − t) + b·t. */
    private static BufferedImage blend(BufferedImage a, BufferedImage b, double t) {
        int w = a.getWidth();
        int h = a.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int pa = a.getRGB(x, y);
                int pb = b.getRGB(x, y);
                int rgb = 0;
                for (int shift = 0; shift <= 16; shift += 8) {
                    int ca = (pa >> shift) & 0xFF;
                    int cb = (pb >> shift) & 0xFF;
                    rgb |= ((int) Math.round(ca * (1 - t) + cb * t) & 0xFF) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /** Adds seeded grain of amplitude 24·strength to every channel. */
    private static BufferedImage grain(BufferedImage img, long seed, double strength) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int amplitude = (int) Math.round(24 * strength);
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int rgb = 0;
                for (int shift = 0; shift <= 16; shift += 8) {
                    int c = ((p >> shift) & 0xFF) + (amplitude == 0 ? 0 : rnd.nextInt(-amplitude, amplitude + 1));
                    rgb |= Math.max(0, Math.min(255, c)) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }
}
