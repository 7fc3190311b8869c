package io.keras4j.runtime.math;

import io.keras4j.runtime.spi.NdArray;

/** Elementwise binary operations with NumPy broadcasting (shapes aligned on the right, size-1 dims stretch). */
public final class Broadcast {
    @FunctionalInterface
    public interface FloatOp { float apply(float a, float b); }

    private Broadcast() {}

    public static int[] shape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromRight(a, rank - 1 - i), db = dimFromRight(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + java.util.Arrays.toString(a) + " and "
                        + java.util.Arrays.toString(b) + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    public static NdArray apply(NdArray a, NdArray b, FloatOp op) { return apply(a, b, op, float[]::new); }

    /** {@link #apply(NdArray, NdArray, FloatOp)} into an array from {@code buffers} (every element is written). */
    public static NdArray apply(NdArray a, NdArray b, FloatOp op, java.util.function.IntFunction<float[]> buffers) {
        int[] as = a.shape(), bs = b.shape();
        float[] x = a.data(), y = b.data();
        if (java.util.Arrays.equals(as, bs)) {
            float[] out = buffers.apply(x.length);
            for (int i = 0; i < out.length; i++) out[i] = op.apply(x[i], y[i]);
            return NdArray.wrap(out, as);
        }
        int[] shape = shape(as, bs);
        int rank = shape.length;
        int[] sa = strides(as, rank, shape), sb = strides(bs, rank, shape);
        float[] out = buffers.apply(NdArray.sizeOf(shape));
        int[] idx = new int[rank];
        int ia = 0, ib = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = op.apply(x[ia], y[ib]);
            for (int ax = rank - 1; ax >= 0; ax--) {
                idx[ax]++;
                ia += sa[ax];
                ib += sb[ax];
                if (idx[ax] < shape[ax]) break;
                ia -= sa[ax] * shape[ax];
                ib -= sb[ax] * shape[ax];
                idx[ax] = 0;
            }
        }
        return NdArray.wrap(out, shape);
    }

    private static int dimFromRight(int[] s, int fromRight) {
        int i = s.length - 1 - fromRight;
        return i >= 0 ? s[i] : 1;
    }

    /** Strides of {@code s} aligned to {@code rank} axes, 0 along broadcast axes. */
    private static int[] strides(int[] s, int rank, int[] out) {
        int[] st = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            int src = i - (rank - s.length);
            int d = src >= 0 ? s[src] : 1;
            st[i] = d == 1 && out[i] != 1 ? 0 : stride;
            stride *= d;
        }
        return st;
    }
}
