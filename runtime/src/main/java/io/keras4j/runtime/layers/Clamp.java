package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.CacheSizes;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.runtime.spi.CallContext;

/**
 * An activation a matrix kernel applies in its epilogue, while the block of output is in registers:
 * {@code min(max(x, lower), upper)}. ReLU and ReLU6 are clamps; {@link #NONE} is the identity.
 */
record Clamp(float lower, float upper) {
    static final Clamp NONE = new Clamp(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);

    /** The clamp computing activation {@code name} exactly, or {@code null} when it is not one ({@code null} is linear). */
    static Clamp ofActivation(String name) {
        if (name == null || name.equals("linear")) return NONE;
        if (name.equals("relu")) return new Clamp(0f, Float.POSITIVE_INFINITY);
        if (name.equals("relu6")) return new Clamp(0f, 6f);
        return null;
    }

    boolean isNone() { return lower == Float.NEGATIVE_INFINITY && upper == Float.POSITIVE_INFINITY; }

    /** This clamp followed by {@code next}. */
    Clamp then(Clamp next) {
        float lo = Math.min(Math.max(lower, next.lower), next.upper), hi = Math.min(Math.max(upper, next.lower), next.upper);
        return new Clamp(lo, hi);
    }

    void applyInPlace(float[] data, int from, int to) {
        if (isNone()) return;
        for (int i = from; i < to; i++) data[i] = Math.min(Math.max(data[i], lower), upper);
    }

    /**
     * The most floats of B (all of the B's of a {@link DenseChain}) that a split by rows may make every thread read:
     * three quarters of a core's L2, so that each core keeps all of them, with room left for its rows of A and C.
     */
    static final long ROW_SPLIT_MAX_B_FLOATS = CacheSizes.l2Bytes() * 3 / 4 / Float.BYTES;

    /**
     * {@code c[m, n] = clamp(a[m, k] * b + bias)}, split over the call's threads by rows (four at a time) or by column
     * blocks of {@code b}. Rows keep each thread's share of A and C on its own core: the calling thread usually takes
     * the first chunk, so the rows it writes are the rows it reads in the next layer split the same way, and two threads
     * share at most one cache line of C. Columns are kept when rows are too few to share out evenly, and for a small
     * batch through a B too large for every core's L2 (a wide Dense), where each thread then reads its share of B and
     * all of A instead of all of B. On the benchmark MLP at batch 32 on two threads, its 256x256 Dense took 18 us split by rows against 21 us
     * by columns, which read half their input from the other core's cache and wrote the lines between two halves of
     * each row from both cores.
     */
    void multiply(CallContext ctx, int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias,
                  float[] c, int cOff, int ldc) {
        int k = b.rows(), n = b.columns(), par = ctx.parallelism();
        boolean wideB = n > m && (long) k * n > ROW_SPLIT_MAX_B_FLOATS;
        if (par > 1 && (m < 16 * par || wideB) && b.columnBlocks() >= par) {
            long perBlock = (long) m * k * Math.max(1, n / b.columnBlocks());
            ctx.parallelFor(b.columnBlocks(), perBlock, (from, to) ->
                    Gemm.multiply(m, a, aOff, lda, b, bias, lower, upper, c, cOff, ldc, from, to));
            return;
        }
        int groups = (m + 3) / 4;
        ctx.parallelFor(groups, 4L * k * n, (from, to) -> {
            int r0 = 4 * from, r1 = Math.min(m, 4 * to);
            Gemm.multiply(r1 - r0, a, aOff + r0 * lda, lda, b, bias, lower, upper, c, cOff + r0 * ldc, ldc);
        });
    }
}
