package io.keras4j.runtime.math;

/**
 * The scalar {@link Gemm} kernel, used when the incubating Vector API is not available (or {@code keras4j.vector=false}).
 *
 * <p>Fast without native code or the incubating Vector API: the innermost loop runs over contiguous columns of B
 * and C, which HotSpot's C2 compiles to SIMD code. Each pass of that loop folds four rows of A and four rows of B
 * into four rows of C, so every loaded value of B and C feeds several multiply-adds (loads and stores, not
 * arithmetic, limit a plain one-row loop). Columns are processed in blocks so the touched rows of B and C stay in
 * cache.
 */
final class ScalarGemm implements Gemm.Kernel {
    private static final int N_BLOCK = 256;
    /** Columns per block of a packed multiply: the unit threads split the columns by. */
    private static final int PACKED_BLOCK = 64;

    /** The scalar kernel reads B row-major, as given. */
    @Override
    public PackedMatrix pack(float[] b, int k, int n) {
        return new PackedMatrix(k, n, java.util.Arrays.copyOf(b, k * n), (n + PACKED_BLOCK - 1) / PACKED_BLOCK);
    }

    @Override
    public void depthwisePixel(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                               float[] out, int o, int c) {
        Depthwise.pixelScalar(x, xAt, k, kAt, taps, bias, lower, upper, out, o, 0, c);
    }

    @Override
    public void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                         float[] c, int cOff, int ldc, int blockFrom, int blockTo) {
        int n0 = blockFrom * PACKED_BLOCK, n1 = Math.min(b.n, blockTo * PACKED_BLOCK);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (bias == null) java.util.Arrays.fill(c, row + n0, row + n1, 0f);
            else System.arraycopy(bias, n0, c, row + n0, n1 - n0);
        }
        multiplyAdd(m, n1 - n0, b.k, a, aOff, lda, b.data, n0, b.n, c, cOff + n0, ldc);
        if (lower == Float.NEGATIVE_INFINITY && upper == Float.POSITIVE_INFINITY) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = row + n0; j < row + n1; j++) c[j] = Math.min(Math.max(c[j], lower), upper);
        }
    }

    @Override
    public void multiplyAdd(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        for (int n0 = 0; n0 < n; n0 += N_BLOCK) {
            int n1 = Math.min(n, n0 + N_BLOCK);
            int i = 0;
            for (; i + 4 <= m; i += 4) fourRows(i, n0, n1, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            for (; i < m; i++) oneRow(i, n0, n1, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    private static void fourRows(int i, int n0, int n1, int k, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            float a00 = a[r0 + p], a01 = a[r0 + p + 1], a02 = a[r0 + p + 2], a03 = a[r0 + p + 3];
            float a10 = a[r1 + p], a11 = a[r1 + p + 1], a12 = a[r1 + p + 2], a13 = a[r1 + p + 3];
            float a20 = a[r2 + p], a21 = a[r2 + p + 1], a22 = a[r2 + p + 2], a23 = a[r2 + p + 3];
            float a30 = a[r3 + p], a31 = a[r3 + p + 1], a32 = a[r3 + p + 2], a33 = a[r3 + p + 3];
            int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int j = n0; j < n1; j++) {
                float q0 = b[b0 + j], q1 = b[b1 + j], q2 = b[b2 + j], q3 = b[b3 + j];
                c[c0 + j] += a00 * q0 + a01 * q1 + a02 * q2 + a03 * q3;
                c[c1 + j] += a10 * q0 + a11 * q1 + a12 * q2 + a13 * q3;
                c[c2 + j] += a20 * q0 + a21 * q1 + a22 * q2 + a23 * q3;
                c[c3 + j] += a30 * q0 + a31 * q1 + a32 * q2 + a33 * q3;
            }
        }
        for (; p < k; p++) {
            float v0 = a[r0 + p], v1 = a[r1 + p], v2 = a[r2 + p], v3 = a[r3 + p];
            int bRow = bOff + p * ldb;
            for (int j = n0; j < n1; j++) {
                float q = b[bRow + j];
                c[c0 + j] += v0 * q;
                c[c1 + j] += v1 * q;
                c[c2 + j] += v2 * q;
                c[c3 + j] += v3 * q;
            }
        }
    }

    private static void oneRow(int i, int n0, int n1, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int r = aOff + i * lda, ci = cOff + i * ldc;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            float v0 = a[r + p], v1 = a[r + p + 1], v2 = a[r + p + 2], v3 = a[r + p + 3];
            int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int j = n0; j < n1; j++) c[ci + j] += v0 * b[b0 + j] + v1 * b[b1 + j] + v2 * b[b2 + j] + v3 * b[b3 + j];
        }
        for (; p < k; p++) {
            float v = a[r + p];
            int bRow = bOff + p * ldb;
            for (int j = n0; j < n1; j++) c[ci + j] += v * b[bRow + j];
        }
    }

    @Override
    public void lstmCell(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int units) {
        Recurrent.lstmCellScalar(x, xAt, r, rAt, c, h, o, 0, units);
    }

    @Override
    public void copyShort(float[] src, int from, float[] dst, int to, int length) { System.arraycopy(src, from, dst, to, length); }

    @Override
    public void winogradInput(float[] src, int r0, int r1, int r2, int r3, int c, float[] v, int vOff, int stride) {
        Winograd.inputScalar(src, r0, r1, r2, r3, c, v, vOff, stride, 0);
    }

    @Override
    public void winogradOutput(float[] m, int mOff, int stride, int c, float[] bias, float lower, float upper,
                               float[] out, int o00, int o01, int o10, int o11) {
        Winograd.outputScalar(m, mOff, stride, c, bias, lower, upper, out, o00, o01, o10, o11, 0);
    }

    @Override
    public void poolPixel(float[] x, int[] xAt, int taps, boolean max, float[] out, int o, int c) {
        Pool.pixelScalar(x, xAt, taps, max, out, o, 0, c);
    }

    @Override
    public void depthwiseRow3x3(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias,
                                float lower, float upper, float[] out, int o, int c) {
        Depthwise.interiorRow3x3Scalar(x, rowAt, xAt, step, count, k, bias, lower, upper, out, o, 0, c);
    }
}
