package dev.easel.adapter.storage;

import dev.easel.application.ImageStore;
import dev.easel.application.ImageStoreException;
import dev.easel.domain.job.JobId;
import dev.easel.sd.image.Png;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * PNG files under {@code <root>/<jobId>/<name>.png} (root is data/images by default). Each PNG carries the
 * generation parameters as UTF-8 text chunks (iTXt), one per key. Files are written to a temporary name and moved
 * into place, so a crash never leaves a half-written image under a real name.
 */
public final class FileImageStore implements ImageStore {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Pattern ID = Pattern.compile("([0-9a-z]{12})/([a-z0-9_-]{1,32})");

    private final Path root;

    public FileImageStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String save(JobId job, String name, BufferedImage image, Map<String, String> metadata) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("image name must be 1-32 of [a-z0-9_-]; got '" + name + "'");
        }
        String id = job.value() + "/" + name;
        Path target = path(id);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + name + "-", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    writePng(image, metadata, out);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return id;
        } catch (IOException e) {
            throw new ImageStoreException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public BufferedImage load(String imageId) {
        Path p = path(imageId);
        try (InputStream in = Files.newInputStream(p)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null) {
                throw new ImageStoreException("image " + imageId + " is not a readable PNG", null);
            }
            return image;
        } catch (IOException e) {
            throw new ImageStoreException("image " + imageId + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] readPng(String imageId) {
        try {
            return Files.readAllBytes(path(imageId));
        } catch (IOException e) {
            throw new ImageStoreException("image " + imageId + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String imageId) {
        return ID.matcher(imageId).matches() && Files.isRegularFile(path(imageId));
    }

    /** The file of an image id; ids are validated so they cannot point outside the root. */
    public Path path(String imageId) {
        if (imageId == null || !ID.matcher(imageId).matches()) {
            throw new IllegalArgumentException("image id must be <jobId>/<name>; got '" + imageId + "'");
        }
        return root.resolve(imageId + ".png");
    }

    /** PNG with the generation parameters in the text chunk other Stable Diffusion tools read. */
    private static void writePng(BufferedImage image, Map<String, String> metadata, OutputStream out)
            throws IOException {
        out.write(Png.encode(image, PngMetadata.textChunks(metadata)));
    }
}
