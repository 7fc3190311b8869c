package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.runtime.spi.CallContext;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * Winograd's F(2x2, 3x3) computes the 3x3 convolution: against the direct sum in double, for odd and even sizes
 * (partial 2x2 blocks at the right and bottom edges), valid and same padding, inputs smaller than a 4x4 window,
 * channel counts off the vector width, with and without bias and clamp, on one thread and split over threads. Run
 * on both matrix kernels (the module's tests run twice).
 */
class WinogradTest {
    @Test
    void matchesTheDirectConvolution() {
        Random rnd = new Random(5);
        int cases = 0;
        for (int h : new int[] {1, 2, 3, 5, 8}) {
            for (int w : new int[] {1, 4, 7}) {
                for (int[] ch : new int[][] {{1, 1}, {3, 5}, {16, 16}, {17, 33}, {32, 20}}) {
                    for (int pad = 0; pad <= 1; pad++) {
                        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
                        if (oh <= 0 || ow <= 0) continue;
                        check(rnd, 2, h, w, ch[0], ch[1], pad, oh, ow, cases % 2 == 0, cases % 3 == 0, CallContext.serial());
                        cases++;
                    }
                }
            }
        }
        assertThat(cases).isGreaterThan(80);
    }

    @Test
    void splitOverThreadsGivesTheSameResult() {
        // 9 images of 16x16: 576 tiles, 9 blocks, forced into chunks of one block each.
        check(new Random(8), 9, 16, 16, 32, 64, 1, 16, 16, true, true, new CallContext(ForkJoinPool.commonPool(), 4, 1));
    }

    private static void check(Random rnd, int n, int h, int w, int cin, int cout, int pad, int oh, int ow,
                              boolean withBias, boolean clamp, CallContext ctx) {
        float[] x = random(rnd, n * h * w * cin), kernel = random(rnd, 9 * cin * cout);
        float[] bias = withBias ? random(rnd, cout) : null;
        float lower = clamp ? 0f : Float.NEGATIVE_INFINITY, upper = clamp ? 1.5f : Float.POSITIVE_INFINITY;
        float[] out = new float[n * oh * ow * cout];
        Arrays.fill(out, Float.NaN); // every element must be written
        Winograd.of(kernel, cin, cout).conv(ctx, x, n, h, w, pad, pad, oh, ow, bias, lower, upper, out);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    for (int co = 0; co < cout; co++) {
                        double sum = bias == null ? 0 : bias[co], magnitude = Math.abs(sum);
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = y + ky - pad, ix = xx + kx - pad;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                for (int ci = 0; ci < cin; ci++) {
                                    double term = (double) x[((b * h + iy) * w + ix) * cin + ci] * kernel[((ky * 3 + kx) * cin + ci) * cout + co];
                                    sum += term;
                                    magnitude += Math.abs(term);
                                }
                            }
                        }
                        double expected = Math.min(Math.max(sum, lower), upper);
                        assertThat((double) out[((b * oh + y) * ow + xx) * cout + co])
                                .as("n=%d h=%d w=%d cin=%d cout=%d pad=%d at [%d, %d, %d, %d]", n, h, w, cin, cout, pad, b, y, xx, co)
                                .isCloseTo(expected, within(1e-5 * Math.max(1, magnitude)));
                    }
                }
            }
        }
    }

    private static float[] random(Random rnd, int length) {
        float[] a = new float[length];
        for (int i = 0; i < length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }
}
