package dev.easel.adapter.discord;

import dev.easel.sd.image.Jpeg;
import dev.easel.sd.image.Png;
import dev.easel.sd.image.Resize;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Optional;

/**
 * Makes an image fit the upload limit of the place it goes to (the interaction's {@code attachment_size_limit},
 * 10 MiB by default; smaller in some servers, larger in boosted ones). In order: the stored PNG as it is (it
 * carries the generation parameters); a high-quality JPEG (quality 0.95 down to 0.80) of the full picture; the
 * same JPEG of the picture downscaled by 3/4 at a time. The full-quality PNG always stays in the image store.
 */
final class UploadFitter {
    /** JPEG quality below which the picture is downscaled instead. */
    static final float MIN_JPEG_QUALITY = 0.80f;
    /** Each downscale keeps this fraction of each side. */
    static final double DOWNSCALE = 0.75;
    /** Never shrink a side below this. */
    static final int MIN_SIDE = 16;

    enum Form { PNG, JPEG, JPEG_DOWNSCALED }

    /**
     * @param bytes    what to upload
     * @param fileName base name with the right extension
     * @param form     which of the three steps fitted
     * @param width    picture width sent
     * @param height   picture height sent
     * @param quality  JPEG quality (1 for PNG)
     */
    record Fitted(byte[] bytes, String fileName, Form form, int width, int height, float quality) {
    }

    private UploadFitter() {
    }

    /**
     * @param png      the stored image
     * @param baseName file name without extension ("grid", "upscale")
     * @param limit    largest accepted file in bytes
     * @throws IOException when the picture cannot be read, or cannot fit even at {@link #MIN_SIDE} pixels
     */
    static Fitted fit(byte[] png, String baseName, long limit) throws IOException {
        BufferedImage image = Png.readImage(png);
        if (png.length <= limit) {
            return new Fitted(png, baseName + ".png", Form.PNG, image.getWidth(), image.getHeight(), 1f);
        }
        Optional<Jpeg.Encoded> jpeg = Jpeg.encodeWithin(image, limit, MIN_JPEG_QUALITY);
        if (jpeg.isPresent()) {
            return new Fitted(jpeg.get().bytes(), baseName + ".jpg", Form.JPEG, image.getWidth(), image.getHeight(),
                    jpeg.get().quality());
        }
        BufferedImage smaller = image;
        while (true) {
            int w = (int) Math.round(smaller.getWidth() * DOWNSCALE);
            int h = (int) Math.round(smaller.getHeight() * DOWNSCALE);
            if (w < MIN_SIDE || h < MIN_SIDE) {
                throw new IOException("a " + image.getWidth() + "x" + image.getHeight() + " picture does not fit in "
                        + limit + " bytes even as a small JPEG");
            }
            smaller = Resize.resize(smaller, w, h);
            jpeg = Jpeg.encodeWithin(smaller, limit, MIN_JPEG_QUALITY);
            if (jpeg.isPresent()) {
                return new Fitted(jpeg.get().bytes(), baseName + ".jpg", Form.JPEG_DOWNSCALED, w, h,
                        jpeg.get().quality());
            }
        }
    }
}
