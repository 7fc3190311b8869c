package io.keras4j.runtime.layers;

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
     * {@code c[m, n] = clamp(a[m, k] * b + bias)}, split over the call's threads: by rows (four at a time) when there
     * are enough of them and B is not the larger operand, else by column blocks of {@code b} (small-batch Dense).
     */
    void multiply(CallContext ctx, int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias,
                  float[] c, int cOff, int ldc) {
        int k = b.rows(), n = b.columns(), par = ctx.parallelism();
        // Columns when rows are few, or when B is the larger operand (a Dense layer of a small batch): each thread
        // then reads its share of B and all of A, instead of all of B.
        if (par > 1 && (m < 16 * par || n > m) && b.columnBlocks() >= par) {
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
