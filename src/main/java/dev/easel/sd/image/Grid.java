package dev.easel.sd.image;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;

/**
 * A rows × cols grid of equally sized cells with no gutter, as Midjourney shows its four candidates:
 * cell {@code i} (0-based, row-major) sits at column {@code i % cols}, row {@code i / cols}, so in a
 * 2 × 2 grid candidates 1–4 (U1–U4) are top-left, top-right, bottom-left, bottom-right. The grid
 * image is {@code cols * cellWidth} wide and {@code rows * cellHeight} high, for cells of any aspect
 * ratio.
 */
public record Grid(int rows, int cols, int cellWidth, int cellHeight) {

    public Grid {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("a grid needs at least one row and one column, got "
                    + rows + " x " + cols);
        }
        if (cellWidth <= 0 || cellHeight <= 0) {
            throw new IllegalArgumentException("grid cells must be at least 1 x 1 pixels, got "
                    + cellWidth + " x " + cellHeight);
        }
        if ((long) cols * cellWidth > Integer.MAX_VALUE || (long) rows * cellHeight > Integer.MAX_VALUE
                || (long) cols * cellWidth * rows * cellHeight > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " grid of " + cellWidth + " x "
                    + cellHeight + " cells is too large for one image");
        }
    }

    /** The 2 × 2 layout for four candidates of the given size. */
    public static Grid twoByTwo(int cellWidth, int cellHeight) {
        return new Grid(2, 2, cellWidth, cellHeight);
    }

    /** The layout of an existing grid image whose size divides evenly into rows × cols cells. */
    public static Grid of(BufferedImage gridImage, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("a grid needs at least one row and one column, got "
                    + rows + " x " + cols);
        }
        int w = gridImage.getWidth();
        int h = gridImage.getHeight();
        if (w % cols != 0 || h % rows != 0) {
            throw new IllegalArgumentException("a " + w + " x " + h + " image does not divide into "
                    + rows + " rows and " + cols + " columns of whole pixels");
        }
        return new Grid(rows, cols, w / cols, h / rows);
    }

    public int cells() {
        return rows * cols;
    }

    public int width() {
        return cols * cellWidth;
    }

    public int height() {
        return rows * cellHeight;
    }

    /** Pixel bounds of cell {@code index} (row-major) inside the grid image. */
    public Rectangle cell(int index) {
        if (index < 0 || index >= cells()) {
            throw new IllegalArgumentException("cell index " + index + " is outside 0.." + (cells() - 1)
                    + " of a " + rows + " x " + cols + " grid");
        }
        return new Rectangle((index % cols) * cellWidth, (index / cols) * cellHeight, cellWidth, cellHeight);
    }

    /**
     * Draws the images into a new TYPE_INT_RGB grid image, image {@code i} into cell {@code i}.
     * Every image must be cellWidth × cellHeight; fewer images than cells leave the rest black.
     */
    public BufferedImage compose(List<BufferedImage> images) {
        if (images.isEmpty() || images.size() > cells()) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " grid holds 1.." + cells()
                    + " images, got " + images.size());
        }
        BufferedImage out = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int stride = width();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            if (img.getWidth() != cellWidth || img.getHeight() != cellHeight) {
                throw new IllegalArgumentException("image " + i + " is " + img.getWidth() + " x " + img.getHeight()
                        + " but the grid cells are " + cellWidth + " x " + cellHeight);
            }
            int[] src = ImageConversion.rgbPixels(img);
            Rectangle r = cell(i);
            for (int y = 0; y < cellHeight; y++) {
                System.arraycopy(src, y * cellWidth, dst, (r.y + y) * stride + r.x, cellWidth);
            }
        }
        return out;
    }

    /** The 2 × 2 grid of four equally sized candidates. */
    public static BufferedImage compose2x2(List<BufferedImage> four) {
        if (four.size() != 4) {
            throw new IllegalArgumentException("a 2 x 2 grid needs exactly 4 images, got " + four.size());
        }
        return twoByTwo(four.get(0).getWidth(), four.get(0).getHeight()).compose(four);
    }

    /** A copy (not a view) of cell {@code index} of a grid image with this layout, as TYPE_INT_RGB. */
    public BufferedImage crop(BufferedImage gridImage, int index) {
        if (gridImage.getWidth() != width() || gridImage.getHeight() != height()) {
            throw new IllegalArgumentException("the grid image is " + gridImage.getWidth() + " x "
                    + gridImage.getHeight() + " but this layout is " + width() + " x " + height());
        }
        Rectangle r = cell(index);
        BufferedImage out = new BufferedImage(cellWidth, cellHeight, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] rgb = ImageConversion.rgbPixels(gridImage.getSubimage(r.x, r.y, r.width, r.height));
        System.arraycopy(rgb, 0, dst, 0, dst.length);
        return out;
    }
}
