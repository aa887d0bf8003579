package dev.easel.sd.image;

import org.junit.jupiter.api.Test;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GridTest {
    /** A w x h image whose pixel (x, y) encodes (id, x, y) so that any misplacement shows. */
    private static BufferedImage tagged(int id, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (id << 20) | (x << 10) | y);
            }
        }
        return img;
    }

    @Test
    void twoByTwoGridOfLandscapeCandidatesPlacesEachInItsQuadrantWithNoGutter() {
        // given four 3:2 candidates of 96 x 64
        List<BufferedImage> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(tagged(i + 1, 96, 64));
        }
        // when
        BufferedImage grid = Grid.compose2x2(four);
        // then: 192 x 128; U1 top-left, U2 top-right, U3 bottom-left, U4 bottom-right
        assertEquals(192, grid.getWidth());
        assertEquals(128, grid.getHeight());
        assertEquals((1 << 20), grid.getRGB(0, 0) & 0xffffff);
        assertEquals((1 << 20) | (95 << 10) | 63, grid.getRGB(95, 63) & 0xffffff);
        assertEquals((2 << 20), grid.getRGB(96, 0) & 0xffffff);
        assertEquals((3 << 20), grid.getRGB(0, 64) & 0xffffff);
        assertEquals((4 << 20) | (10 << 10) | 20, grid.getRGB(106, 84) & 0xffffff);
        assertEquals((4 << 20) | (95 << 10) | 63, grid.getRGB(191, 127) & 0xffffff);
    }

    @Test
    void croppingACellGivesBackTheCandidateExactly() {
        // given a portrait 2 x 2 grid
        List<BufferedImage> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(tagged(i + 1, 40, 72));
        }
        BufferedImage gridImage = Grid.compose2x2(four);
        Grid layout = Grid.of(gridImage, 2, 2);
        assertEquals(Grid.twoByTwo(40, 72), layout);
        for (int i = 0; i < 4; i++) {
            // when
            BufferedImage cell = layout.crop(gridImage, i);
            // then
            assertEquals(40, cell.getWidth());
            assertEquals(72, cell.getHeight());
            assertArrayEquals(ImageConversion.rgbPixels(four.get(i)), ImageConversion.rgbPixels(cell), "cell " + i);
        }
        assertEquals(new Rectangle(40, 72, 40, 72), layout.cell(3));
    }

    @Test
    void generalRowsAndColumnsAreRowMajor() {
        Grid g = new Grid(2, 3, 10, 5);
        List<BufferedImage> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(tagged(i + 1, 10, 5));
        }
        BufferedImage img = g.compose(five);
        assertEquals(30, img.getWidth());
        assertEquals(10, img.getHeight());
        assertEquals(new Rectangle(20, 0, 10, 5), g.cell(2));
        assertEquals(new Rectangle(0, 5, 10, 5), g.cell(3));
        assertEquals(3 << 20, img.getRGB(20, 0) & 0xffffff);
        assertEquals(4 << 20, img.getRGB(0, 5) & 0xffffff);
        assertEquals(0, img.getRGB(29, 9) & 0xffffff, "unfilled cell stays black");
    }

    @Test
    void badInputsAreRejectedWithSpecificMessages() {
        Grid g = Grid.twoByTwo(8, 8);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> g.compose(List.of(tagged(1, 8, 8), tagged(2, 8, 9))));
        assertTrue(size.getMessage().contains("image 1 is 8 x 9"), size.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Grid.compose2x2(List.of(tagged(1, 8, 8))));
        assertTrue(count.getMessage().contains("exactly 4"), count.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class, () -> g.cell(4));
        assertTrue(index.getMessage().contains("0..3"), index.getMessage());
        IllegalArgumentException divide = assertThrows(IllegalArgumentException.class,
                () -> Grid.of(new BufferedImage(15, 16, BufferedImage.TYPE_INT_RGB), 2, 2));
        assertTrue(divide.getMessage().contains("15 x 16"), divide.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Grid(0, 2, 8, 8));
    }
}
