package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both kernels against a plain triple loop in double precision, over shapes that exercise every block and tail
 * (rows not a multiple of four, columns not a multiple of the vector width, k across panel boundaries) and offsets
 * and leading dimensions of sub-blocks. Surefire runs the runtime's tests with the Vector API module and again
 * without it, so the kernel {@link Gemm} chose is checked on both paths.
 */
class GemmTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {4, 16, 1}, {5, 33, 300}, {17, 70, 257}, {64, 64, 64},
        {2, 129, 513}, {9, 8, 3}};

    @Test
    void theChosenKernelIsTheOneThisJvmCanRun() {
        boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean wanted = Boolean.parseBoolean(System.getProperty("keras4j.vector", "true"));
        System.out.println("GemmTest: kernel " + Gemm.kernel() + " (jdk.incubator.vector " + (vectorModule ? "added" : "absent") + ")");
        assertThat(Gemm.kernel()).startsWith(vectorModule && wanted && Gemm.vector().isPresent() ? "vector" : "scalar");
    }

    @Test
    void chosenKernelMatchesAPlainLoop() { check(Gemm::multiplyAdd); }

    @Test
    void scalarKernelMatchesAPlainLoop() { check(Gemm.SCALAR::multiplyAdd); }

    @Test
    void vectorKernelMatchesAPlainLoopWhereTheJvmHasIt() {
        Gemm.vector().ifPresent(k -> check(k::multiplyAdd));
    }

    interface Packer { PackedMatrix pack(float[] b, int k, int n); }

    interface PackedMul {
        void apply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                   float[] c, int cOff, int ldc, int blockFrom, int blockTo);
    }

    @Test
    void chosenKernelsPackedMultiplyMatchesAPlainLoop() { checkPacked(Gemm::pack, Gemm::multiply); }

    @Test
    void scalarKernelsPackedMultiplyMatchesAPlainLoop() { checkPacked(Gemm.SCALAR::pack, Gemm.SCALAR::multiply); }

    @Test
    void vectorKernelsPackedMultiplyMatchesAPlainLoopWhereTheJvmHasIt() {
        Gemm.vector().ifPresent(k -> checkPacked(k::pack, k::multiply));
    }

    /**
     * C = clamp(A * B + bias) with B packed, computed one column block at a time (as threads split it) and all at once: with and
     * without bias, with a ReLU6 clamp and without, k spanning several panels of k, k = 0 (the bias alone), and a
     * partial last panel over more rows than one scratch block holds.
     */
    private static void checkPacked(Packer packer, PackedMul kernel) {
        Random rnd = new Random(7);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 16, 1}, {5, 33, 300}, {17, 70, 257}, {64, 64, 64}, {2, 129, 513},
            {9, 8, 3}, {6, 24, 600}, {3, 7, 0}, {70, 40, 300}, {130, 24, 20}, {19, 48, 40},
            // More rows than one row block (256) holds: whole blocks, a partial one, and the partial panel in each.
            {600, 40, 300}, {520, 33, 5}};
        for (int[] s : shapes) {
            for (int variant = 0; variant < 2; variant++) {
                int m = s[0], n = s[1], k = s[2];
                boolean withBias = variant == 0;
                float lower = variant == 0 ? 0f : Float.NEGATIVE_INFINITY, upper = variant == 0 ? 0.5f : Float.POSITIVE_INFINITY;
                int lda = k + 3, ldc = n + 2, aOff = 7, cOff = 13;
                float[] a = random(rnd, aOff + m * lda), b = random(rnd, k * n), bias = withBias ? random(rnd, n) : null;
                float[] c = random(rnd, cOff + m * ldc);
                double[] expected = new double[c.length];
                for (int i = 0; i < c.length; i++) expected[i] = c[i];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = withBias ? bias[j] : 0;
                        for (int p = 0; p < k; p++) sum += (double) a[aOff + i * lda + p] * b[p * n + j];
                        expected[cOff + i * ldc + j] = Math.min(Math.max(sum, lower), upper);
                    }
                }
                PackedMatrix packed = packer.pack(b, k, n);
                if (variant == 0) {
                    for (int block = 0; block < packed.columnBlocks(); block++) {
                        kernel.apply(m, a, aOff, lda, packed, bias, lower, upper, c, cOff, ldc, block, block + 1);
                    }
                } else {
                    kernel.apply(m, a, aOff, lda, packed, bias, lower, upper, c, cOff, ldc, 0, packed.columnBlocks());
                }
                for (int i = 0; i < c.length; i++) {
                    assertThat((double) c[i]).as("shape %dx%dx%d, variant %d, element %d", m, n, k, variant, i)
                            .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4 * Math.max(1, Math.abs(expected[i]))));
                }
            }
        }
    }

    interface Mul {
        void apply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc);
    }

    private static void check(Mul kernel) {
        Random rnd = new Random(42);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            // Sub-blocks of larger arrays: offsets and leading dimensions wider than the block.
            int lda = k + 3, ldb = n + 5, ldc = n + 2, aOff = 7, bOff = 11, cOff = 13;
            float[] a = random(rnd, aOff + m * lda), b = random(rnd, bOff + k * ldb), c = random(rnd, cOff + m * ldc);
            double[] expected = new double[c.length];
            for (int i = 0; i < c.length; i++) expected[i] = c[i];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) sum += (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
                    expected[cOff + i * ldc + j] += sum;
                }
            }
            kernel.apply(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            for (int i = 0; i < c.length; i++) {
                assertThat((double) c[i]).as("shape %dx%dx%d, element %d", m, n, k, i)
                        .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4 * Math.max(1, Math.abs(expected[i]))));
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
