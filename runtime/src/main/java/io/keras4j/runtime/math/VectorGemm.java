package io.keras4j.runtime.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Gemm} kernel on the incubating Vector API. A micro-kernel keeps a block of C of four rows by two vectors
 * in registers over a whole panel of k, so each step loads two vectors of one row of B and four values of A for
 * eight fused multiply-adds, and C is read and written once per panel instead of once per step. Panels of k are
 * bounded so the slice of B a column block reads stays in cache while every row block of A passes over it.
 * Remaining columns use masked vectors; remaining rows a one-row kernel.
 *
 * <p>Loaded only by name from {@link Gemm}, so the class never links on a JVM without {@code jdk.incubator.vector}.
 */
final class VectorGemm implements Gemm.Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int K_PANEL = 256;

    @Override
    public String toString() { return L >= 4 ? "vector (" + L + " floats)" : "scalar-width vector"; }

    @Override
    public void multiplyAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc) {
        for (int p0 = 0; p0 < k; p0 += K_PANEL) {
            int p1 = Math.min(k, p0 + K_PANEL);
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                int i = 0;
                for (; i + 4 <= m; i += 4) block4x2(i, j, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
                for (; i < m; i++) block1x2(i, j, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
            for (; j < n; j += L) {
                VectorMask<Float> mask = S.indexInRange(j, n);
                for (int i = 0; i < m; i++) block1x1(i, j, mask, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        }
    }

    private static void block4x2(int i, int j, int p0, int p1, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int c0 = cOff + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector x00 = FloatVector.fromArray(S, c, c0), x01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector x10 = FloatVector.fromArray(S, c, c1), x11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector x20 = FloatVector.fromArray(S, c, c2), x21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector x30 = FloatVector.fromArray(S, c, c3), x31 = FloatVector.fromArray(S, c, c3 + L);
        for (int p = p0; p < p1; p++) {
            int bRow = bOff + p * ldb + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bRow), b1 = FloatVector.fromArray(S, b, bRow + L);
            FloatVector v = FloatVector.broadcast(S, a[r0 + p]);
            x00 = v.fma(b0, x00);
            x01 = v.fma(b1, x01);
            v = FloatVector.broadcast(S, a[r1 + p]);
            x10 = v.fma(b0, x10);
            x11 = v.fma(b1, x11);
            v = FloatVector.broadcast(S, a[r2 + p]);
            x20 = v.fma(b0, x20);
            x21 = v.fma(b1, x21);
            v = FloatVector.broadcast(S, a[r3 + p]);
            x30 = v.fma(b0, x30);
            x31 = v.fma(b1, x31);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
    }

    private static void block1x2(int i, int j, int p0, int p1, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        int r = aOff + i * lda, ci = cOff + i * ldc + j;
        FloatVector x0 = FloatVector.fromArray(S, c, ci), x1 = FloatVector.fromArray(S, c, ci + L);
        for (int p = p0; p < p1; p++) {
            int bRow = bOff + p * ldb + j;
            FloatVector v = FloatVector.broadcast(S, a[r + p]);
            x0 = v.fma(FloatVector.fromArray(S, b, bRow), x0);
            x1 = v.fma(FloatVector.fromArray(S, b, bRow + L), x1);
        }
        x0.intoArray(c, ci);
        x1.intoArray(c, ci + L);
    }

    private static void block1x1(int i, int j, VectorMask<Float> mask, int p0, int p1, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int r = aOff + i * lda, ci = cOff + i * ldc + j;
        FloatVector x = FloatVector.fromArray(S, c, ci, mask);
        for (int p = p0; p < p1; p++) {
            x = FloatVector.broadcast(S, a[r + p]).fma(FloatVector.fromArray(S, b, bOff + p * ldb + j, mask), x);
        }
        x.intoArray(c, ci, mask);
    }
}
