package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class Conv2dTest {
    @Test
    void wrapPadsWithTheOppositeEdges() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given a 1×1×2×3 image [[1 2 3] [4 5 6]]
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(1, 1, 2, 3));
            // when wrapped by one pixel
            NDArray y = Conv2d.wrap(x, 1);
            // then each row gains its last value on the left and first on the right, and rows wrap too
            assertArrayEquals(new long[] {1, 1, 4, 5}, y.getShape().getShape());
            assertArrayEquals(new float[] {
                    6, 4, 5, 6, 4,
                    3, 1, 2, 3, 1,
                    6, 4, 5, 6, 4,
                    3, 1, 2, 3, 1}, y.toFloatArray());
        }
    }
}
