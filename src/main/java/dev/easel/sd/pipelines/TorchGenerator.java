package dev.easel.sd.pipelines;

import java.util.Arrays;

/**
 * A pure-Java re-implementation of PyTorch's CPU random number generator ({@code torch.Generator()}
 * on the CPU), so that a seed yields the same initial latents as diffusers called with
 * {@code generator=torch.Generator().manual_seed(seed)}.
 *
 * <h2>What is reproduced</h2>
 * <ul>
 *   <li><b>Engine</b>: the 32-bit Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998) seeded
 *       by the classic {@code init_genrand} recurrence
 *       {@code s[0] = seed mod 2^32, s[j] = 1812433253 * (s[j-1] ^ (s[j-1] >>> 30)) + j}.
 *       libtorch keeps the full 64-bit seed for {@code initial_seed()} but feeds only its low
 *       32 bits into the state, so seeds {@code s} and {@code s + 2^32} give the same stream.</li>
 *   <li><b>{@code randn} with at least 16 elements</b> (libtorch's {@code normal_fill}): every
 *       element first receives a uniform float {@code u = (r & (2^24 - 1)) * 2^-24} from one 32-bit
 *       draw {@code r}; then each block of 16 is turned into normals by the Box–Muller transform
 *       pairing element {@code j} with {@code j + 8}:
 *       {@code radius = sqrt(-2 ln(1 - u[j]))}, {@code theta = 2 pi u[j+8]},
 *       {@code z[j] = radius cos(theta)}, {@code z[j+8] = radius sin(theta)}. When the count is not a
 *       multiple of 16, the last 16 elements are overwritten by 16 fresh uniforms and transformed
 *       again (so they overlap the previous block).</li>
 *   <li><b>{@code randn} with fewer than 16 elements</b>: one double-precision Box–Muller draw per
 *       element. A draw takes two 53-bit uniforms {@code u = (r64 & (2^53 - 1)) * 2^-53} (each from
 *       two 32-bit draws, the first being the high half), returns {@code r cos(theta)} with
 *       {@code r = sqrt(-2 ln(1 - u2))}, {@code theta = 2 pi u1}, and caches {@code r sin(theta)}
 *       in the generator for the next small draw. The cache survives between calls, exactly as in
 *       libtorch; the 16-or-more path neither reads nor writes it.</li>
 * </ul>
 *
 * <h2>Transcendental functions of the 16-or-more path</h2>
 * libtorch chooses its 16-or-more kernel at run time by CPU capability. Its AVX2 kernel evaluates the
 * logarithm, sine and cosine with the single-precision Cephes polynomials (Pommier's eight-lane port),
 * compiled by GCC with multiply-adds contracted into FMA instructions. {@link CephesFloat} reproduces
 * that evaluation operation by operation with IEEE float arithmetic and
 * {@link Math#fma(float, float, float)}, which makes this class bit-exact with the reference
 * {@code torch.randn} draws in the test data (torch 1.13 on an x86-64 CPU). Kernels that call the C
 * library's {@code logf}, {@code cosf} and {@code sinf} instead differ from these values in the last
 * bits (with correctly rounded functions in their place: by up to 1.8e-6 on the reference draws).
 *
 * <h2>Thread safety</h2>
 * A generator is mutable state and is <b>not</b> thread-safe. Give every job (every candidate image)
 * its own instance; never share one between threads. Two generators with the same seed produce
 * identical, independent streams.
 */
public final class TorchGenerator {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    /** 2^-24: the spacing of the 24-bit uniform floats. */
    private static final float FLOAT_UNIT = 1.0f / (1 << 24);
    /** 2^-53: the spacing of the 53-bit uniform doubles. */
    private static final double DOUBLE_UNIT = 1.0 / (1L << 53);
    /** {@code 2.0f * pi} rounded to float, as libtorch's kernels hold it. */
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);

    private final long seed;
    private final int[] state = new int[N];
    /** Index of the next state word to temper; N means "twist before the next draw". */
    private int next;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /**
     * Same as {@code torch.Generator().manual_seed(seed)}. Any long is accepted; as in libtorch only
     * its low 32 bits seed the engine (a negative Java seed equals the Python seed {@code seed + 2^64}).
     */
    public TorchGenerator(long seed) {
        this.seed = seed;
        // init_genrand: only the low 32 bits of the seed enter the state.
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        next = N;
    }

    /** The seed this generator was created with (as {@code initial_seed()}). */
    public long seed() {
        return seed;
    }

    /** The next raw 32-bit output of MT19937, as an unsigned value in [0, 2^32). */
    public long nextUInt32() {
        return Integer.toUnsignedLong(nextInt());
    }

    /** Two 32-bit outputs joined, the first one as the high half (libtorch's {@code random64}). */
    public long nextUInt64() {
        long hi = Integer.toUnsignedLong(nextInt());
        long lo = Integer.toUnsignedLong(nextInt());
        return (hi << 32) | lo;
    }

    /**
     * Standard normal samples of the given shape, in row-major order, as
     * {@code torch.randn(shape, generator=g, dtype=torch.float32)} on the CPU. Consecutive calls
     * continue the stream.
     *
     * @param shape the dimensions, each >= 0, with at most {@link Integer#MAX_VALUE} - 8 elements in all
     */
    public float[] randn(long... shape) {
        int n = numel(shape);
        float[] out = new float[n];
        if (n >= 16) {
            normalFill(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) nextNormalDouble();
            }
        }
        return out;
    }

    private static int numel(long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        final long limit = Integer.MAX_VALUE - 8;
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has a negative dimension; dimensions must be >= 0");
            }
            if (n != 0 && d > limit / n) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than one Java array can hold (" + limit + ")");
            }
            n *= d;
        }
        if (n > limit) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                    + " has more elements than one Java array can hold (" + limit + ")");
        }
        return (int) n;
    }

    // ------------------------------------------------------------------ MT19937

    private int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        // Tempering.
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** Regenerates all N state words: s[k] = s[k+M] ^ twist(upper(s[k]) | lower(s[k+1])). */
    private void twist() {
        for (int k = 0; k < N; k++) {
            int mixed = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            int twisted = (mixed >>> 1) ^ ((mixed & 1) != 0 ? MATRIX_A : 0);
            state[k] = state[(k + M) % N] ^ twisted;
        }
        next = 0;
    }

    // ------------------------------------------------------------------ uniforms

    /** A float in [0, 1) on the 2^-24 grid from one 32-bit draw. */
    private float nextUniformFloat() {
        return (nextInt() & 0xffffff) * FLOAT_UNIT;
    }

    /** A double in [0, 1) on the 2^-53 grid from one 64-bit draw. */
    private double nextUniformDouble() {
        return (nextUInt64() & ((1L << 53) - 1)) * DOUBLE_UNIT;
    }

    // ------------------------------------------------------------------ small tensors (< 16)

    /** One N(0, 1) sample by double-precision Box–Muller, caching the second value. */
    private double nextNormalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextUniformDouble();
        double u2 = nextUniformDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2)); // 1 - u2 is in (0, 1]
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return r * StrictMath.cos(theta);
    }

    // ------------------------------------------------------------------ normal_fill (>= 16)

    private void normalFill(float[] data) {
        int n = data.length;
        for (int i = 0; i < n; i++) {
            data[i] = nextUniformFloat();
        }
        for (int i = 0; i + 16 <= n; i += 16) {
            boxMuller16(data, i);
        }
        if (n % 16 != 0) {
            // Recompute the last 16 values from fresh uniforms (overlapping the previous block).
            int start = n - 16;
            for (int i = 0; i < 16; i++) {
                data[start + i] = nextUniformFloat();
            }
            boxMuller16(data, start);
        }
    }

    /**
     * Box–Muller on data[off..off+16), mean 0 and std 1, pairing j with j + 8 (j < 8):
     * z[j] = sqrt(-2 ln(1 - u[j])) cos(2 pi u[j+8]), z[j+8] = the same radius times sin.
     */
    private static void boxMuller16(float[] data, int off) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - data[off + j]; // [0, 1) -> (0, 1] for the logarithm
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2.0f * CephesFloat.log(u1)); // float sqrt, correctly rounded
            float theta = TWO_PI_F * u2;
            long sinCos = CephesFloat.sincos(theta);
            data[off + j] = radius * CephesFloat.cos(sinCos);
            data[off + j + 8] = radius * CephesFloat.sin(sinCos);
        }
    }

    /**
     * Single-precision natural logarithm and sine/cosine by the Cephes Math Library's range
     * reductions and minimax polynomials (S. L. Moshier), evaluated in the same order, with the same
     * float roundings and the same fused multiply-adds as libtorch's AVX2 normal kernel, so that the
     * results match it bit for bit. Each {@code Math.fma(a, b, c)} below stands for a multiply whose
     * product feeds a single add, which GCC contracts into one FMA instruction; every other
     * operation rounds to float on its own.
     */
    static final class CephesFloat {
        private CephesFloat() {
        }

        private static final float SQRT_HALF = 0.707106781186547524f;
        /** log(1 + t) = t - t^2/2 + t^3 P(t) on [sqrt(1/2) - 1, sqrt(2) - 1]; P's coefficients, highest first. */
        private static final float[] LOG_P = {
            7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
            1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f,
            3.3333331174E-1f};
        /** ln 2 = LN2_HI + LN2_LO; LN2_HI has few significant bits so e * LN2_HI is exact. */
        private static final float LN2_HI = 0.693359375f;
        private static final float LN2_LO = -2.12194440e-4f;

        /**
         * ln(x) for x in (0, 1] (any positive float works; x <= 0 gives NaN). Writes x = m 2^e with
         * m in [sqrt(1/2), sqrt(2)), t = m - 1, and returns e ln 2 + log(1 + t).
         */
        static float log(float x) {
            if (!(x > 0)) {
                return Float.NaN;
            }
            x = Math.max(x, Float.MIN_NORMAL); // subnormals are clamped to the smallest normal
            int bits = Float.floatToRawIntBits(x);
            // Exponent for a mantissa in [0.5, 1): biased exponent - 127 + 1.
            float e = (float) ((bits >>> 23) - 0x7f) + 1.0f;
            float m = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
            float t;
            if (m < SQRT_HALF) { // move m into [sqrt(1/2), 1): t = 2m - 1, e - 1
                e = e - 1.0f;
                t = (m - 1.0f) + m;
            } else {
                t = m - 1.0f;
            }
            float z = t * t;
            float y = LOG_P[0];
            for (int k = 1; k < LOG_P.length; k++) {
                y = Math.fma(y, t, LOG_P[k]); // Horner
            }
            y = y * t;                         // t P(t)
            y = Math.fma(y, z, e * LN2_LO);    // t^3 P(t) + e LN2_LO
            y = Math.fma(-z, 0.5f, y);         // - t^2 / 2
            return Math.fma(e, LN2_HI, t + y); // + t + e LN2_HI
        }

        /** pi/4 = -(DP1 + DP2 + DP3), split so that j * DP1 and j * DP2 are exact for small j. */
        private static final float DP1 = -0.78515625f;
        private static final float DP2 = -2.4187564849853515625e-4f;
        private static final float DP3 = -3.77489497744594108e-8f;
        private static final float FOUR_OVER_PI = 1.27323954473516f;
        /** sin(r) = r + r^3 S(r^2) on [-pi/4, pi/4]. */
        private static final float S0 = -1.9515295891E-4f;
        private static final float S1 = 8.3321608736E-3f;
        private static final float S2 = -1.6666654611E-1f;
        /** cos(r) = 1 - r^2/2 + r^4 C(r^2) on [-pi/4, pi/4]. */
        private static final float C0 = 2.443315711809948E-005f;
        private static final float C1 = -1.388731625493765E-003f;
        private static final float C2 = 4.166664568298827E-002f;

        /**
         * sin(x) and cos(x) together, packed as two float bit patterns (read them with
         * {@link #sin(long)} and {@link #cos(long)}). Accurate for |x| up to a few thousand; the
         * sampler only passes [0, 2 pi).
         */
        static long sincos(float x) {
            boolean negative = Float.floatToRawIntBits(x) < 0;
            float ax = Math.abs(x);
            // j = the even integer nearest above trunc(|x| / (pi/4)); r = |x| - j pi/4 in [-pi/4, pi/4].
            int j = ((int) (ax * FOUR_OVER_PI) + 1) & ~1;
            float fj = (float) j;
            float r = Math.fma(fj, DP1, ax);
            r = Math.fma(fj, DP2, r);
            r = Math.fma(fj, DP3, r);
            float z = r * r;

            float c = Math.fma(C0, z, C1);
            c = Math.fma(c, z, C2);
            c = c * z;
            c = Math.fma(c, z, -(z * 0.5f)); // r^4 C(r^2) - r^2/2
            c = c + 1.0f;

            float s = Math.fma(S0, z, S1);
            s = Math.fma(s, z, S2);
            s = s * z;
            s = Math.fma(s, r, r);           // r + r^3 S(r^2)

            // Octant bookkeeping: j mod 8 in {0, 2, 4, 6}. For j = 2, 6 the polynomials swap roles;
            // sin changes sign for j = 4, 6 (and for negative x), cos for j = 2, 4.
            boolean swap = (j & 2) != 0;
            float sin = swap ? c : s;
            float cos = swap ? s : c;
            if (((j & 4) != 0) ^ negative) {
                sin = -sin;
            }
            if (((j - 2) & 4) == 0) {
                cos = -cos;
            }
            return ((long) Float.floatToRawIntBits(sin) << 32) | (Float.floatToRawIntBits(cos) & 0xffffffffL);
        }

        static float sin(long sinCos) {
            return Float.intBitsToFloat((int) (sinCos >>> 32));
        }

        static float cos(long sinCos) {
            return Float.intBitsToFloat((int) sinCos);
        }
    }
}
