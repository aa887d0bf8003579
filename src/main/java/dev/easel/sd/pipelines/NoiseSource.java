package dev.easel.sd.pipelines;

/**
 * Where a run's random numbers come from, per candidate. The default ({@link #seeded}) gives
 * candidate i its own torch-compatible CPU generator seeded with seeds[i], drawn in exactly the
 * order diffusers draws from a batch-of-one generator: the VAE posterior sample (img2img), the
 * initial noise, then one draw per stochastic scheduler step. So every candidate can be
 * regenerated alone, and a diffusers user with {@code torch.Generator("cpu").manual_seed(seed)}
 * gets the same image.
 */
public interface NoiseSource {

    /** Standard-normal noise for the VAE posterior sample of an img2img init image, shape [1, 4, h, w]. */
    float[] vaeSample(int candidate, long[] shape);

    /** The initial noise (txt2img latents before × init_noise_sigma, or img2img add_noise noise), [1, 4, h, w]. */
    float[] initial(int candidate, long[] shape);

    /** Noise a stochastic scheduler consumes at a step, [1, 4, h, w]. */
    float[] step(int candidate, long[] shape);

    /** One {@link TorchGenerator} per candidate. */
    static NoiseSource seeded(long... seeds) {
        TorchGenerator[] gens = new TorchGenerator[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            gens[i] = new TorchGenerator(seeds[i]);
        }
        return new NoiseSource() {
            @Override
            public float[] vaeSample(int candidate, long[] shape) {
                return gens[candidate].randn(shape);
            }

            @Override
            public float[] initial(int candidate, long[] shape) {
                return gens[candidate].randn(shape);
            }

            @Override
            public float[] step(int candidate, long[] shape) {
                return gens[candidate].randn(shape);
            }
        };
    }
}
