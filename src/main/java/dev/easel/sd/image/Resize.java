package dev.easel.sd.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * High-quality resizing of 8-bit RGB images by separable convolution, with the same arithmetic as
 * Pillow's {@code Image.resize} (which diffusers uses to resize init images, with Lanczos), so that
 * both give the same pixels:
 * <ul>
 *   <li>For each output coordinate {@code i}, the source centre is {@code (i + 0.5) * scale} with
 *       {@code scale = inSize / outSize}. When shrinking, the kernel is stretched by {@code scale}
 *       (so it also low-pass filters, avoiding aliasing); when enlarging it keeps its own width.</li>
 *   <li>Weights {@code K((j + 0.5 - centre) / max(scale, 1))} over the source pixels {@code j} in the
 *       kernel's support, normalised to sum 1, then rounded to 22-bit fixed point.</li>
 *   <li>Rows are resampled first, to 8 bits with rounding and clamping, then columns.</li>
 * </ul>
 * {@link Filter#LANCZOS} (a = 3, the windowed sinc {@code sinc(x) sinc(x / 3)} for |x| < 3) is the
 * default and the one to use for the 2× upscale; {@link Filter#BICUBIC} (Keys' cubic convolution,
 * a = -0.5) and {@link Filter#BILINEAR} (the triangle) are the cheaper, softer alternatives.
 * Alpha is dropped: the result is always TYPE_INT_RGB.
 */
public final class Resize {
    /** Resampling kernels and their half-widths (support) in source pixels at scale 1. */
    public enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0.0;
            }
        },
        LANCZOS(3.0) {
            @Override
            double weight(double x) {
                if (-3.0 <= x && x < 3.0) {
                    return sinc(x) * sinc(x / 3);
                }
                return 0.0;
            }
        };

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            double t = x * Math.PI;
            return StrictMath.sin(t) / t;
        }
    }

    /** Fixed-point fraction bits of the weights: 32 bits less 8 for the pixel and 2 of headroom. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resize() {
    }

    /** Lanczos resize to width × height. */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        return resize(image, width, height, Filter.LANCZOS);
    }

    /** Lanczos enlargement to twice the width and height (the upscale path). */
    public static BufferedImage upscale2x(BufferedImage image) {
        return resize(image, Math.multiplyExact(image.getWidth(), 2), Math.multiplyExact(image.getHeight(), 2),
                Filter.LANCZOS);
    }

    /** Resize to width × height with the given filter; returns a new TYPE_INT_RGB image. */
    public static BufferedImage resize(BufferedImage image, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be at least 1 x 1, got " + width + " x " + height);
        }
        if ((long) width * height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("target size " + width + " x " + height + " is too large for one image");
        }
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null (LANCZOS, BICUBIC or BILINEAR)");
        }
        int inW = image.getWidth();
        int inH = image.getHeight();
        int[] px = ImageConversion.rgbPixels(image);
        int curW = inW;
        if (width != inW) {
            px = horizontal(px, inW, inH, width, filter);
            curW = width;
        }
        if (height != inH) {
            px = vertical(px, curW, inH, height, filter);
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        System.arraycopy(px, 0, dst, 0, dst.length);
        return out;
    }

    /** The kernel of each output coordinate: first source index and fixed-point weights. */
    private record Coefficients(int[] start, int[][] weights) {
    }

    private static Coefficients coefficients(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        double inverse = 1.0 / filterScale;
        int[] start = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int i = 0; i < outSize; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max((int) (centre - support + 0.5), 0);
            int hi = Math.min((int) (centre + support + 0.5), inSize);
            int count = Math.max(hi - lo, 0);
            double[] w = new double[count];
            double sum = 0.0;
            for (int j = 0; j < count; j++) {
                w[j] = filter.weight((j + lo - centre + 0.5) * inverse);
                sum += w[j];
            }
            int[] fixed = new int[count];
            for (int j = 0; j < count; j++) {
                double k = sum != 0.0 ? w[j] / sum : w[j];
                // round half away from zero to PRECISION_BITS fraction bits
                fixed[j] = k < 0 ? (int) (-0.5 + k * (1 << PRECISION_BITS)) : (int) (0.5 + k * (1 << PRECISION_BITS));
            }
            start[i] = lo;
            weights[i] = fixed;
        }
        return new Coefficients(start, weights);
    }

    /** Fixed-point sum (with the rounding half-unit added) to a byte: shift out the fraction, clamp. */
    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    private static int[] horizontal(int[] src, int inW, int h, int outW, Filter filter) {
        Coefficients c = coefficients(inW, outW, filter);
        int[] out = new int[outW * h];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < h; y++) {
            int row = y * inW;
            for (int x = 0; x < outW; x++) {
                int[] k = c.weights()[x];
                int s = row + c.start()[x];
                int r = half;
                int g = half;
                int b = half;
                for (int j = 0; j < k.length; j++) {
                    int p = src[s + j];
                    r += ((p >>> 16) & 0xff) * k[j];
                    g += ((p >>> 8) & 0xff) * k[j];
                    b += (p & 0xff) * k[j];
                }
                out[y * outW + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private static int[] vertical(int[] src, int w, int inH, int outH, Filter filter) {
        Coefficients c = coefficients(inH, outH, filter);
        int[] out = new int[w * outH];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < outH; y++) {
            int[] k = c.weights()[y];
            int s = c.start()[y];
            for (int x = 0; x < w; x++) {
                int r = half;
                int g = half;
                int b = half;
                for (int j = 0; j < k.length; j++) {
                    int p = src[(s + j) * w + x];
                    r += ((p >>> 16) & 0xff) * k[j];
                    g += ((p >>> 8) & 0xff) * k[j];
                    b += (p & 0xff) * k[j];
                }
                out[y * w + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }
}
