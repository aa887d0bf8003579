package dev.easel.application;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Puts candidates side by side: 4 → 2×2, 2 → 2×1, 9 → 3×3 (columns = ceil(sqrt(n))), in reading order. */
public final class ImageGrid {
    private ImageGrid() {
    }

    public static BufferedImage compose(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one image");
        }
        int n = images.size();
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        BufferedImage grid = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            for (int i = 0; i < n; i++) {
                g.drawImage(images.get(i), (i % cols) * w, (i / cols) * h, w, h, null);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
