package dev.easel.sd.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.sd.clip.CLIPTextModel;
import dev.easel.sd.image.Grid;
import dev.easel.sd.image.LatentPreview;
import dev.easel.sd.clip.CLIPTokenizer;
import dev.easel.sd.models.AutoencoderKL;
import dev.easel.sd.models.UNet2DConditionModel;
import dev.easel.sd.schedulers.Img2ImgTimesteps;
import dev.easel.sd.schedulers.Scheduler;
import dev.easel.sd.schedulers.Schedulers;
import dev.easel.sd.weights.JsonConfig;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Stable Diffusion 1.x/2.x text-to-image and image-to-image, the way diffusers'
 * StableDiffusionPipeline / StableDiffusionImg2ImgPipeline run them: CLIP text encoder →
 * UNet denoising loop with classifier-free guidance → VAE decoder. All candidates of a request
 * and both halves of the guidance pair go through the UNet in one batch per step.
 *
 * <p>Native memory: the weights live in the pipeline's manager; each request uses a job
 * manager (text embedding) and every step a step manager, both closed when done, so memory is
 * flat across steps and jobs. Not thread-safe: one worker thread drives a pipeline.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private final String name;
    private final NDManager manager;
    private final DataType dtype;
    private final CLIPTokenizer tokenizer;
    private final CLIPTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final JsonConfig schedulerConfig;

    StableDiffusionPipeline(String name, NDManager manager, DataType dtype, CLIPTokenizer tokenizer,
                            CLIPTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                            JsonConfig schedulerConfig) {
        this.name = name;
        this.manager = manager;
        this.dtype = dtype;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
    }

    /**
     * Loads a diffusers-layout model folder ({@code model_index.json}, tokenizer/, text_encoder/,
     * unet/, vae/, scheduler/).
     *
     * @param variant weight variant to prefer (e.g. "fp16"), or null for the plain files
     */
    public static StableDiffusionPipeline load(Path dir, Device device, DataType dtype, String variant) throws IOException {
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new IOException(dir + " is not a diffusers model folder: model_index.json is missing");
        }
        JsonConfig index = JsonConfig.read(dir.resolve("model_index.json"));
        String cls = index.getString("_class_name", "StableDiffusionPipeline");
        if (!cls.equals("StableDiffusionPipeline") && !cls.equals("StableDiffusionImg2ImgPipeline")) {
            throw new IOException(dir + ": " + cls + " models are not supported (Stable Diffusion 1.x/2.x only)");
        }
        NDManager m = NDManager.newBaseManager(device);
        CLIPTextModel te = null;
        UNet2DConditionModel un = null;
        AutoencoderKL va = null;
        try {
            CLIPTokenizer tok = CLIPTokenizer.load(dir.resolve("tokenizer"));
            te = CLIPTextModel.load(dir.resolve("text_encoder"), m, dtype, variant);
            un = UNet2DConditionModel.load(dir.resolve("unet"), m, dtype, variant);
            va = AutoencoderKL.load(dir.resolve("vae"), m, dtype, variant);
            JsonConfig sched = JsonConfig.read(dir.resolve("scheduler").resolve("scheduler_config.json"));
            return new StableDiffusionPipeline(dir.getFileName().toString(), m, dtype, tok, te, un, va, sched);
        } catch (IOException | RuntimeException e) {
            if (te != null) {
                te.close();
            }
            if (un != null) {
                un.close();
            }
            if (va != null) {
                va.close();
            }
            m.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public DataType dtype() {
        return dtype;
    }

    public Device device() {
        return manager.getDevice();
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public CLIPTextModel textEncoder() {
        return textEncoder;
    }

    public CLIPTokenizer tokenizer() {
        return tokenizer;
    }

    public JsonConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** The scheduler a request's sampler name selects, configured from the model's scheduler_config.json. */
    public Scheduler scheduler(String sampler) {
        return Schedulers.create(sampler, schedulerConfig);
    }

    /** Generates with the default per-candidate seeded noise. */
    public GenerationResult generate(GenerationRequest req, ProgressListener progress, BooleanSupplier cancelled) {
        return generate(req, NoiseSource.seeded(req.seeds()), progress, cancelled);
    }

    public GenerationResult generate(GenerationRequest req, NoiseSource noise, ProgressListener progress,
                                     BooleanSupplier cancelled) {
        return generate(req, scheduler(req.sampler()), noise, progress, cancelled);
    }

    /** Runs with an explicit scheduler instance (fresh: its run state is reset here). */
    public GenerationResult generate(GenerationRequest req, Scheduler scheduler, NoiseSource noise,
                                     ProgressListener progress, BooleanSupplier cancelled) {
        final int n = req.count();
        final int h = req.height() / 8;
        final int w = req.width() / 8;
        final long[] one = {1, unet.config().inChannels(), h, w};
        final int per = (int) (one[1] * h * w);
        // diffusers applies guidance only when the scale is > 1; here any candidate above 1 turns it on
        final boolean cfg = req.candidates().stream().anyMatch(c -> c.guidanceScale() > 1.0);
        final float scaling = (float) vae.config().scalingFactor();

        scheduler.setTimesteps(req.steps());
        float[] timesteps = scheduler.timesteps();
        setTiling(req.tile());
        try (NDManager job = manager.newSubManager()) {
            // 1. encode the prompts: rows [uncond_0 … uncond_N-1, cond_0 … cond_N-1] → [2N, 77, C]
            long t0 = System.nanoTime();
            boolean truncated = false;
            for (GenerationRequest.Candidate c : req.candidates()) {
                truncated |= tokenizer.encodeDetailed(c.prompt()).truncated();
            }
            NDArray context = encodeText(job, req.candidates(), cfg);
            NDArray guidance = job.create(guidanceVector(req), new Shape(n, 1, 1, 1)); // g_i over [4, h, w]
            long t1 = System.nanoTime();

            // 2. initial latents [N, 4, h, w]
            float[] latents = new float[n * per];
            int begin = 0;
            if (req.init() == null) {
                // txt2img: x_T = ε · init_noise_sigma, ε ~ N(0, I) from each candidate's generator
                float sigma = scheduler.initNoiseSigma();
                for (int i = 0; i < n; i++) {
                    float[] eps = noise.initial(i, one);
                    for (int j = 0; j < per; j++) {
                        latents[i * per + j] = eps[j] * sigma;
                    }
                }
            } else {
                // img2img: z0 = scaling · (μ + σ·ε_vae), then forward-diffuse z0 to the strength's timestep
                Img2ImgTimesteps span = scheduler.img2imgTimesteps(req.init().strength());
                if (span.isEmpty()) {
                    throw new IllegalArgumentException("strength " + req.init().strength() + " with " + req.steps()
                            + " steps leaves no denoising step; raise the strength or the steps");
                }
                begin = span.beginIndex();
                float[] z0 = encodeInit(job, req.init(), noise, n, one, scaling);
                float[] eps = new float[n * per];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(noise.initial(i, one), 0, eps, i * per, per);
                }
                latents = scheduler.addNoise(z0, eps, begin);
            }

            // 3. denoising loop
            int total = timesteps.length - begin;
            for (int k = begin; k < timesteps.length; k++) {
                if (cancelled.getAsBoolean()) {
                    throw new GenerationCancelledException(k - begin, total);
                }
                float[] modelOutput;
                try (NDManager step = job.newSubManager()) {
                    // 3a. scale the input for sigma-space samplers, duplicate for guidance: [2N, 4, h, w]
                    NDArray x = step.create(scheduler.scaleModelInput(latents, k), new Shape(n, one[1], h, w));
                    if (dtype != DataType.FLOAT32) {
                        x = x.toType(dtype, false);
                    }
                    NDArray xin = cfg ? NDArrays.concat(new NDList(x, x), 0) : x;
                    NDArray t = step.create(timesteps[k]);
                    // 3b. predict the noise (or v)
                    NDArray out = unet.forward(xin, t, context).toType(DataType.FLOAT32, false);
                    // 3c. classifier-free guidance per candidate: ε = ε_u + g_i · (ε_c − ε_u)
                    if (cfg) {
                        NDArray uncond = out.get(new NDIndex("0:{}", n));
                        NDArray text = out.get(new NDIndex("{}:", n));
                        out = uncond.add(text.sub(uncond).mul(guidance));
                    }
                    modelOutput = out.toFloatArray();
                }
                // 3d. x_t → x_{t-1}; stochastic samplers take one draw per candidate from its generator
                latents = scheduler.step(modelOutput, k, latents, () -> {
                    float[] z = new float[n * per];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(noise.step(i, one), 0, z, i * per, per);
                    }
                    return z;
                });
                progress.onStep(k - begin + 1, total, previews(latents, n, h, w));
            }
            long t2 = System.nanoTime();

            // 4. decode: x = VAE(z / scaling), image = (x / 2 + 0.5).clamp(0, 1) as [N, H, W, 3]
            float[] images = decode(job, latents, n, one, scaling);
            long t3 = System.nanoTime();
            return new GenerationResult(n, req.width(), req.height(), images, truncated,
                    new GenerationResult.Timings((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, total, (t3 - t2) / 1_000_000));
        } finally {
            setTiling(false);
        }
    }

    private static float[] guidanceVector(GenerationRequest req) {
        float[] g = new float[req.count()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) Math.max(req.candidates().get(i).guidanceScale(), 1.0);
        }
        return g;
    }

    /** Seamless tiling: every padded convolution of the UNet and VAE wraps around the edges. */
    private void setTiling(boolean on) {
        unet.setCircularPadding(on);
        vae.setCircularPadding(on);
    }

    /**
     * Text states of every candidate: unconditional rows (negative prompts) then conditional rows,
     * [2N, 77, C] (or [N, 77, C] without guidance). Each distinct text is encoded once.
     */
    private NDArray encodeText(NDManager job, List<GenerationRequest.Candidate> candidates, boolean cfg) {
        List<String> rows = new ArrayList<>();
        if (cfg) {
            candidates.forEach(c -> rows.add(c.negativePrompt()));
        }
        candidates.forEach(c -> rows.add(c.prompt()));
        Map<String, Integer> distinct = new LinkedHashMap<>();
        rows.forEach(r -> distinct.putIfAbsent(r, distinct.size()));
        long[][] ids = tokenizer.encode(new ArrayList<>(distinct.keySet()));
        int len = ids[0].length;
        long[] flat = new long[ids.length * len];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * len, len);
        }
        NDArray states = textEncoder.promptEmbeds(job.create(flat, new Shape(ids.length, len)), 0); // [U, 77, C]
        NDList picked = new NDList();
        for (String r : rows) {
            int j = distinct.get(r);
            picked.add(states.get(new NDIndex("{}:{}", j, j + 1)));
        }
        return NDArrays.concat(picked, 0).toType(dtype, false);
    }

    /** VAE-encodes the init image once and samples its posterior once per candidate, × scaling. */
    private float[] encodeInit(NDManager job, GenerationRequest.InitImage init, NoiseSource noise, int n,
                               long[] one, float scaling) {
        int per = (int) (one[1] * one[2] * one[3]);
        float[] z0 = new float[n * per];
        try (NDManager step = job.newSubManager()) {
            NDArray image = step.create(init.pixels(), new Shape(1, 3, init.height(), init.width())).toType(dtype, false);
            AutoencoderKL.Posterior post = vae.encode(image);
            NDArray mean = post.mean().toType(DataType.FLOAT32, false);
            NDArray std = post.logvar().toType(DataType.FLOAT32, false).mul(0.5f).exp();
            for (int i = 0; i < n; i++) {
                NDArray eps = step.create(noise.vaeSample(i, one), new Shape(one));
                float[] z = mean.add(std.mul(eps)).mul(scaling).toFloatArray();
                System.arraycopy(z, 0, z0, i * per, per);
            }
        }
        return z0;
    }

    private float[] decode(NDManager job, float[] latents, int n, long[] one, float scaling) {
        try (NDManager step = job.newSubManager()) {
            NDArray z = step.create(latents, new Shape(n, one[1], one[2], one[3])).div(scaling).toType(dtype, false);
            NDArray x = vae.decode(z).toType(DataType.FLOAT32, false); // [N, 3, H, W]
            return x.div(2).add(0.5f).clip(0f, 1f).transpose(0, 2, 3, 1).toFloatArray();
        }
    }

    /** Latents → RGB by the linear approximation (no VAE), computed only when a listener asks. */
    static ProgressListener.Previews previews(float[] latents, int n, int h, int w) {
        return new ProgressListener.Previews() {
            @Override
            public BufferedImage candidate(int i) {
                return LatentPreview.sd1().render(latents, n, h, w, i, 1);
            }

            @Override
            public BufferedImage grid(int first, int count) {
                List<BufferedImage> each = new ArrayList<>();
                for (int i = first; i < first + count; i++) {
                    each.add(candidate(i));
                }
                if (count == 4) {
                    return Grid.compose2x2(each);
                }
                BufferedImage out = new BufferedImage(w * count, h, BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = out.createGraphics();
                for (int i = 0; i < count; i++) {
                    g.drawImage(each.get(i), i * w, 0, null);
                }
                g.dispose();
                return out;
            }
        };
    }

    @Override
    public void close() {
        textEncoder.close();
        unet.close();
        vae.close();
        manager.close();
    }
}
