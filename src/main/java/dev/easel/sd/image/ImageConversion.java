package dev.easel.sd.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the pipeline's float tensors and 8-bit RGB images, done the way diffusers'
 * {@code VaeImageProcessor} does them so that the same tensor gives the same PNG pixels.
 *
 * <p>Decoder output to pixels ({@code postprocess} then {@code numpy_to_pil}), per value in float32:
 * <pre>
 *   u = clamp(x / 2 + 0.5, 0, 1)        // [-1, 1] -> [0, 1]
 *   p = round_half_even(u * 255)        // numpy's round(); then astype(uint8)
 * </pre>
 * Init image to tensor ({@code preprocess}: {@code pil_to_numpy} then {@code normalize}):
 * <pre>
 *   x = 2 * (p / 255) - 1               // float32, [0, 255] -> [-1, 1]
 * </pre>
 * A NaN value becomes 0, as numpy's cast does on x86-64.
 */
public final class ImageConversion {
    private ImageConversion() {
    }

    /** Decoder space [-1, 1] to [0, 1]: {@code clamp(x / 2 + 0.5, 0, 1)} in float32. */
    public static float denormalize(float x) {
        float u = x / 2f + 0.5f;
        return u < 0f ? 0f : (u > 1f ? 1f : u);
    }

    /** A value in [0, 1] to a byte: {@code round_half_even(u * 255)} in float32, clamped to [0, 255]. */
    public static int unitToByte(float u) {
        if (Float.isNaN(u)) {
            return 0;
        }
        float clamped = u < 0f ? 0f : (u > 1f ? 1f : u);
        return (int) Math.rint(clamped * 255f);
    }

    /** A byte to decoder space: {@code 2 * (p / 255) - 1} in float32. */
    public static float byteToNormalized(int p) {
        return 2f * (p / 255f) - 1f;
    }

    /**
     * VAE decoder output to images.
     *
     * @param nchw   [batch, 3, height, width] row-major, values in [-1, 1] (clamped)
     * @return one TYPE_INT_RGB image per batch entry
     */
    public static List<BufferedImage> decodedToImages(float[] nchw, int batch, int height, int width) {
        checkLength("decoder output [B, 3, H, W]", nchw, batch, 3, height, width);
        int plane = height * width;
        List<BufferedImage> images = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            int base = b * 3 * plane;
            for (int i = 0; i < plane; i++) {
                int r = unitToByte(denormalize(nchw[base + i]));
                int g = unitToByte(denormalize(nchw[base + plane + i]));
                int bl = unitToByte(denormalize(nchw[base + 2 * plane + i]));
                px[i] = (r << 16) | (g << 8) | bl;
            }
            images.add(img);
        }
        return images;
    }

    /**
     * VAE decoder output as an NDArray [B, 3, H, W] (any float type, any device) to images; the
     * array is copied to the host as float32 and not closed.
     */
    public static List<BufferedImage> decodedToImages(NDArray decoded) {
        Shape s = decoded.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("decoder output must be [B, 3, H, W], got " + s);
        }
        float[] data = decoded.getDataType() == DataType.FLOAT32
                ? decoded.toFloatArray()
                : toFloat32(decoded);
        return decodedToImages(data, Math.toIntExact(s.get(0)), Math.toIntExact(s.get(2)), Math.toIntExact(s.get(3)));
    }

    private static float[] toFloat32(NDArray a) {
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /**
     * Images in [0, 1], channels last, to 8-bit images: the {@code output_type="np"} result of a
     * diffusers pipeline turned into what {@code output_type="pil"} gives.
     *
     * @param nhwc [batch, height, width, 3] row-major
     */
    public static List<BufferedImage> unitToImages(float[] nhwc, int batch, int height, int width) {
        checkLength("images [B, H, W, 3]", nhwc, batch, height, width, 3);
        int plane = height * width;
        List<BufferedImage> images = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            int base = b * plane * 3;
            for (int i = 0; i < plane; i++) {
                int o = base + 3 * i;
                px[i] = (unitToByte(nhwc[o]) << 16) | (unitToByte(nhwc[o + 1]) << 8) | unitToByte(nhwc[o + 2]);
            }
            images.add(img);
        }
        return images;
    }

    /**
     * An init image to the encoder's input: [1, 3, H, W] row-major in [-1, 1]. The image is used
     * at its own size; resize it first (for example with {@link Resize}) to a multiple of 8.
     */
    public static float[] imageToNormalized(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = rgbPixels(image);
        int plane = w * h;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[i] = byteToNormalized((p >>> 16) & 0xff);
            out[plane + i] = byteToNormalized((p >>> 8) & 0xff);
            out[2 * plane + i] = byteToNormalized(p & 0xff);
        }
        return out;
    }

    /**
     * An init image prepared as diffusers' {@code VaeImageProcessor.preprocess} does by default:
     * width and height rounded down to multiples of {@code multiple} (the VAE's 8), the image
     * Lanczos-resized to that size when it differs, then normalized to [1, 3, H, W] in [-1, 1].
     *
     * @return the normalized tensor; its height and width are those of {@link #preprocessSize}
     */
    public static float[] preprocess(BufferedImage image, int multiple) {
        int[] size = preprocessSize(image.getWidth(), image.getHeight(), multiple);
        return preprocess(image, size[0], size[1]);
    }

    /** An init image Lanczos-resized to width × height (when it differs) and normalized to [1, 3, H, W]. */
    public static float[] preprocess(BufferedImage image, int width, int height) {
        BufferedImage sized = image.getWidth() == width && image.getHeight() == height
                ? image
                : Resize.resize(image, width, height, Resize.Filter.LANCZOS);
        return imageToNormalized(sized);
    }

    /** {width, height} rounded down to multiples of {@code multiple}; fails if either becomes 0. */
    public static int[] preprocessSize(int width, int height, int multiple) {
        if (multiple <= 0) {
            throw new IllegalArgumentException("multiple must be positive, got " + multiple);
        }
        int w = width - width % multiple;
        int h = height - height % multiple;
        if (w == 0 || h == 0) {
            throw new IllegalArgumentException("a " + width + " x " + height + " image is smaller than "
                    + multiple + " x " + multiple + " pixels and cannot be used as an init image");
        }
        return new int[] {w, h};
    }

    /** {@link #imageToNormalized(BufferedImage)} as a float32 NDArray [1, 3, H, W] owned by {@code manager}. */
    public static NDArray imageToNormalized(NDManager manager, BufferedImage image) {
        return manager.create(imageToNormalized(image), new Shape(1, 3, image.getHeight(), image.getWidth()));
    }

    /**
     * The 8-bit RGB values of an image as {@code 0xRRGGBB} ints, row-major, as Pillow's
     * {@code convert("RGB")} gives them: alpha is dropped (not composited), and an 8-bit gray image
     * repeats its gray value in all three channels (Java's {@code getRGB} would apply a gamma
     * conversion to gray images instead).
     */
    public static int[] rgbPixels(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_INT_ARGB) {
            int[] out = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < out.length; i++) {
                out[i] &= 0xffffff;
            }
            return out;
        }
        if (isEightBitGray(image)) {
            Raster raster = image.getRaster();
            int[] gray = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int[] out = new int[gray.length];
            for (int i = 0; i < gray.length; i++) {
                int g = gray[i] & 0xff;
                out[i] = (g << 16) | (g << 8) | g;
            }
            return out;
        }
        int[] out = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < out.length; i++) {
            out[i] &= 0xffffff;
        }
        return out;
    }

    private static boolean isEightBitGray(BufferedImage image) {
        return image.getColorModel() instanceof ComponentColorModel cm
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getDataBuffer() instanceof DataBufferByte;
    }

    /** Copies any image into a new TYPE_INT_RGB image with the pixels of {@link #rgbPixels}. */
    public static BufferedImage toIntRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        System.arraycopy(rgbPixels(image), 0, dst, 0, dst.length);
        return out;
    }

    private static void checkLength(String what, float[] data, int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(what + ": every dimension must be positive, got "
                        + java.util.Arrays.toString(dims));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(dims)
                        + " has more values than one Java array can hold");
            }
        }
        if (data == null || data.length != n) {
            throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(dims) + " needs " + n
                    + " values, got " + (data == null ? "null" : data.length));
        }
    }
}
