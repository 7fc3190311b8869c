package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Depthwise#interiorRow3x3} against {@link Depthwise#pixel} with the taps gathered per pixel, on both kernels:
 * the same sums in the same order, so the same floats. 37 channels (two whole vectors of 16 and a tail), strides 1
 * and 2 (at stride 1 a block of four pixels and three single ones), with and without bias and a ReLU6 clamp, a run
 * starting inside a row and batch rows at offsets.
 */
class DepthwiseTest {
    interface Row {
        void apply(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias, float lower, float upper,
                   float[] out, int o, int c);
    }

    interface Pixel {
        void apply(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                   float[] out, int o, int c);
    }

    @Test
    void scalarKernelsInteriorRowEqualsItsPixels() { check(Gemm.SCALAR::depthwiseRow3x3, Gemm.SCALAR::depthwisePixel); }

    @Test
    void vectorKernelsInteriorRowEqualsItsPixelsWhereTheJvmHasIt() {
        Gemm.vector().ifPresent(k -> check(k::depthwiseRow3x3, k::depthwisePixel));
    }

    private static void check(Row row, Pixel pixel) {
        int c = 37, h = 4, w = 11, batch = 2;
        Random rnd = new Random(3);
        float[] x = new float[batch * h * w * c];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 4 - 2;
        float[] k = new float[9 * c], bias = new float[c];
        for (int i = 0; i < k.length; i++) k[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < c; i++) bias[i] = rnd.nextFloat() - 0.5f;
        for (int stride = 1; stride <= 2; stride++) {
            for (float[] b : new float[][] {null, bias}) {
                for (float upper : new float[] {Float.POSITIVE_INFINITY, 6f}) {
                    float lower = upper == 6f ? 0f : Float.NEGATIVE_INFINITY;
                    int image = 1, oy = 1, ix0 = 2, count = (w - 3 - ix0) / stride + 1; // stride 1: a block of 4 and 3 more
                    int[] rowAt = new int[3];
                    for (int ky = 0; ky < 3; ky++) rowAt[ky] = (image * h + oy + ky) * w * c;
                    float[] fast = new float[5 + count * c], slow = new float[5 + count * c];
                    row.apply(x, rowAt, ix0 * c, stride * c, count, k, b, lower, upper, fast, 5, c);
                    int[] xAt = new int[9], kAt = new int[9];
                    for (int p = 0; p < count; p++) {
                        for (int t = 0; t < 9; t++) {
                            xAt[t] = rowAt[t / 3] + (ix0 + p * stride + t % 3) * c;
                            kAt[t] = t * c;
                        }
                        pixel.apply(x, xAt, k, kAt, 9, b, lower, upper, slow, 5 + p * c, c);
                    }
                    assertThat(fast).as("stride %d, bias %s, upper %s", stride, b != null, upper).containsExactly(slow);
                }
            }
        }
    }
}
