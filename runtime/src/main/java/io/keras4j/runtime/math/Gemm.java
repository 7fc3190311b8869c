package io.keras4j.runtime.math;

/**
 * Single-precision matrix multiply-accumulate {@code C[m, n] += A[m, k] * B[k, n]} on row-major arrays with
 * explicit offsets and leading dimensions, so callers can multiply sub-blocks (conv groups, attention heads)
 * without copying.
 *
 * <p>Cache-friendly without native code: B is walked in blocks of rows and columns that stay in cache, four rows
 * of A share each loaded row of B, and the innermost loop runs over contiguous memory of B and C, which the JIT
 * compiles to SIMD code.
 */
public final class Gemm {
    private static final int K_BLOCK = 128;
    private static final int N_BLOCK = 512;

    private Gemm() {}

    public static void multiplyAdd(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        for (int n0 = 0; n0 < n; n0 += N_BLOCK) {
            int n1 = Math.min(n, n0 + N_BLOCK);
            for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
                int k1 = Math.min(k, k0 + K_BLOCK);
                int i = 0;
                for (; i + 4 <= m; i += 4) fourRows(i, n0, n1, k0, k1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
                for (; i < m; i++) oneRow(i, n0, n1, k0, k1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        }
    }

    private static void fourRows(int i, int n0, int n1, int k0, int k1, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        for (int p = k0; p < k1; p++) {
            float v0 = a[a0 + p], v1 = a[a1 + p], v2 = a[a2 + p], v3 = a[a3 + p];
            int bRow = bOff + p * ldb;
            for (int j = n0; j < n1; j++) {
                float bv = b[bRow + j];
                c[c0 + j] += v0 * bv;
                c[c1 + j] += v1 * bv;
                c[c2 + j] += v2 * bv;
                c[c3 + j] += v3 * bv;
            }
        }
    }

    private static void oneRow(int i, int n0, int n1, int k0, int k1, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int ai = aOff + i * lda, ci = cOff + i * ldc;
        for (int p = k0; p < k1; p++) {
            float v = a[ai + p];
            if (v == 0f) continue;
            int bRow = bOff + p * ldb;
            for (int j = n0; j < n1; j++) c[ci + j] += v * b[bRow + j];
        }
    }
}
