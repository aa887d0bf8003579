package dev.easel.sd.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.Random;

/**
 * Fills a model with seeded random weights (for benchmarks at real sizes and the offline demo):
 * matrices and kernels ~ N(0, 1)/√fan_in, norm weights 1 + 0.1·N(0, 1), other vectors 0.1·N(0, 1).
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static void fill(Module model, NDManager manager, DataType dtype, long seed) {
        Random rnd = new Random(seed);
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Shape s = e.getValue().shape();
            int n = Math.toIntExact(s.size());
            float[] v = new float[n];
            boolean norm = e.getKey().contains("norm") && e.getKey().endsWith("weight");
            double scale = s.dimension() >= 2 ? 1.0 / Math.sqrt((double) n / s.get(0)) : 0.1;
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((norm ? 1.0 : 0.0) + scale * rnd.nextGaussian());
            }
            NDArray a = manager.create(v, s);
            if (dtype != DataType.FLOAT32) {
                NDArray c = a.toType(dtype, false);
                a.close();
                a = c;
            }
            e.getValue().set(a);
        }
    }
}
