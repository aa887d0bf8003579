package dev.easel.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the golden reference data copied under src/test/resources/golden. */
public final class Golden {
    private Golden() {
    }

    public static Path root() {
        URL url = Golden.class.getResource("/golden/README.md");
        if (url == null) {
            throw new IllegalStateException("golden data missing from the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /** Largest |a[i] - b[i]|. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** Largest difference of any 8-bit channel between two images of the same size. */
    public static int maxPixelDiff(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new AssertionError("size " + a.getWidth() + "x" + a.getHeight() + " != " + b.getWidth() + "x" + b.getHeight());
        }
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    max = Math.max(max, Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff)));
                }
            }
        }
        return max;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
