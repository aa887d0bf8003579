package dev.easel.sd.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cheap RGB preview of latents without running the VAE decoder: each latent pixel (4 channels) is
 * mapped to a colour by a fixed linear map, fitted once by regressing decoded colours on latents.
 * Per latent pixel l = (l0, l1, l2, l3), in the pipeline's scaled latent space (the latents the
 * UNet sees, before division by the VAE scaling factor):
 * <pre>
 *   rgb[c] = sum_k l[k] * F[k][c] + bias[c]          // F: 4 x 3
 *   pixel  = round_half_even(255 * clamp(rgb / 2 + 0.5, 0, 1))   // [-1, 1] -> [0, 255]
 * </pre>
 * {@link #sd1()} uses the widely used SD 1.x factors (the {@code latent_rgb_factors} of ComfyUI's
 * SD15 latent format; SD 2.x shares SD 1.x's VAE and latent space), with zero bias. The preview is
 * H/8 × W/8 pixels, optionally enlarged by an integer factor with nearest-neighbour sampling.
 */
public final class LatentPreview {
    /** Rows: latent channels 0..3; columns: R, G, B. */
    private static final float[][] SD1_FACTORS = {
        {0.3512f, 0.2297f, 0.3227f},
        {0.3250f, 0.4974f, 0.2350f},
        {-0.2829f, 0.1762f, 0.2721f},
        {-0.2120f, -0.2616f, -0.7177f},
    };

    private final float[][] factors;
    private final float[] bias;

    /**
     * @param factors [channels][3]: the RGB contribution of each latent channel
     * @param bias    [3]: added to R, G, B
     */
    public LatentPreview(float[][] factors, float[] bias) {
        if (factors == null || factors.length == 0) {
            throw new IllegalArgumentException("factors must have one row per latent channel, got none");
        }
        for (int k = 0; k < factors.length; k++) {
            if (factors[k] == null || factors[k].length != 3) {
                throw new IllegalArgumentException("factors row " + k + " must hold 3 values (R, G, B), got "
                        + (factors[k] == null ? "null" : factors[k].length));
            }
        }
        if (bias == null || bias.length != 3) {
            throw new IllegalArgumentException("bias must hold 3 values (R, G, B), got "
                    + (bias == null ? "null" : bias.length));
        }
        this.factors = new float[factors.length][];
        for (int k = 0; k < factors.length; k++) {
            this.factors[k] = factors[k].clone();
        }
        this.bias = bias.clone();
    }

    /** The SD 1.x / 2.x approximation (4 latent channels). */
    public static LatentPreview sd1() {
        return new LatentPreview(SD1_FACTORS, new float[3]);
    }

    public int channels() {
        return factors.length;
    }

    /**
     * The preview of batch entry {@code index} of latents [B, C, h, w] (row-major).
     *
     * @param scale integer enlargement, 1 for an h × w image
     */
    public BufferedImage render(float[] latents, int batch, int height, int width, int index, int scale) {
        int c = channels();
        long expected = (long) batch * c * height * width;
        if (batch <= 0 || height <= 0 || width <= 0 || latents == null || latents.length != expected) {
            throw new IllegalArgumentException("latents [" + batch + ", " + c + ", " + height + ", " + width
                    + "] need " + expected + " values, got " + (latents == null ? "null" : latents.length));
        }
        if (index < 0 || index >= batch) {
            throw new IllegalArgumentException("index " + index + " is outside the batch 0.." + (batch - 1));
        }
        if (scale < 1 || (long) width * scale * height * scale > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scale must be a positive integer small enough for one image, got " + scale);
        }
        int plane = height * width;
        int base = index * c * plane;
        int[] small = new int[plane];
        for (int i = 0; i < plane; i++) {
            float r = bias[0];
            float g = bias[1];
            float b = bias[2];
            for (int k = 0; k < c; k++) {
                float l = latents[base + k * plane + i];
                r += l * factors[k][0];
                g += l * factors[k][1];
                b += l * factors[k][2];
            }
            small[i] = (toByte(r) << 16) | (toByte(g) << 8) | toByte(b);
        }
        BufferedImage out = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int outW = width * scale;
        for (int y = 0; y < height * scale; y++) {
            int srcRow = (y / scale) * width;
            for (int x = 0; x < outW; x++) {
                dst[y * outW + x] = small[srcRow + x / scale];
            }
        }
        return out;
    }

    /** Previews of every batch entry of latents [B, C, h, w]. */
    public List<BufferedImage> renderAll(float[] latents, int batch, int height, int width, int scale) {
        List<BufferedImage> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            out.add(render(latents, batch, height, width, i, scale));
        }
        return out;
    }

    /** Previews of every batch entry of an NDArray [B, C, h, w] (copied to the host; not closed). */
    public List<BufferedImage> renderAll(NDArray latents, int scale) {
        Shape s = latents.getShape();
        if (s.dimension() != 4 || s.get(1) != channels()) {
            throw new IllegalArgumentException("latents must be [B, " + channels() + ", h, w], got " + s);
        }
        float[] data;
        if (latents.getDataType() == DataType.FLOAT32) {
            data = latents.toFloatArray();
        } else {
            try (NDArray f = latents.toType(DataType.FLOAT32, true)) {
                data = f.toFloatArray();
            }
        }
        return renderAll(data, Math.toIntExact(s.get(0)), Math.toIntExact(s.get(2)), Math.toIntExact(s.get(3)), scale);
    }

    /** [-1, 1] to a byte: round_half_even(255 * clamp(v / 2 + 0.5, 0, 1)). */
    private static int toByte(float v) {
        return ImageConversion.unitToByte(ImageConversion.denormalize(v));
    }

    @Override
    public String toString() {
        return "LatentPreview" + Arrays.deepToString(factors) + " + " + Arrays.toString(bias);
    }
}
