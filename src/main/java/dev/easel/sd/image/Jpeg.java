package dev.easel.sd.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;

/**
 * JPEG encoding at a chosen quality, for sending large images where a size limit applies (PNG keeps
 * the generation parameters; JPEG is the smaller fallback). Alpha is dropped before encoding.
 */
public final class Jpeg {
    /** A JPEG and the quality it was encoded at. */
    public record Encoded(byte[] bytes, float quality) {
    }

    private Jpeg() {
    }

    /**
     * Encodes an image as baseline JPEG.
     *
     * @param quality 0 (smallest) .. 1 (best), as {@link ImageWriteParam#setCompressionQuality}
     */
    public static byte[] encode(BufferedImage image, float quality) throws IOException {
        if (!(quality >= 0f && quality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be between 0 and 1, got " + quality);
        }
        BufferedImage rgb = image.getType() == BufferedImage.TYPE_INT_RGB ? image : ImageConversion.toIntRgb(image);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IOException("no JPEG writer available in this Java runtime");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * The best of the qualities 0.95, 0.90, ... down to {@code minQuality} whose JPEG fits in
     * {@code maxBytes}; empty if even {@code minQuality} is too large.
     */
    public static Optional<Encoded> encodeWithin(BufferedImage image, long maxBytes, float minQuality) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (!(minQuality >= 0f && minQuality <= 0.95f)) {
            throw new IllegalArgumentException("minQuality must be between 0 and 0.95, got " + minQuality);
        }
        for (int step = 95; step >= 0; step -= 5) {
            float q = step / 100f;
            if (q < minQuality - 1e-6f) {
                break;
            }
            byte[] b = encode(image, q);
            if (b.length <= maxBytes) {
                return Optional.of(new Encoded(b, q));
            }
        }
        return Optional.empty();
    }
}
