package io.keras4j.runtime.math;

import io.keras4j.runtime.spi.CallContext;

/**
 * A 3x3, stride-1 2D convolution (channels-last) by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2015): each 2x2 block of output pixels is computed from its
 * 4x4 input window as {@code A^T [(G g G^T) . (B^T d B)] A}. Summed over input channels, the 16 elementwise products
 * become 16 independent matrix products {@code [tiles, c_in] x [c_in, c_out]}: 16 multiply-adds per tile, channel
 * pair where the direct convolution needs 36, a 2.25x cut in the dominant work. The kernel transform
 * {@code G g G^T} is done once, at compile time, in double.
 *
 * <p>The transforms only add, subtract and halve, so the result differs from the direct sum by rounding alone
 * ({@code WinogradTest} holds it to the direct convolution). It pays off when both channel counts are large enough
 * for the matrix products to dominate the transforms: {@link #worthwhile}.
 */
public final class Winograd {
    /** Tiles transformed and multiplied together: their transformed inputs and products (16 x 64 x c floats) stay in L2. */
    private static final int TILES_PER_BLOCK = 64;

    private final int cin;
    private final int cout;
    /** {@code G g G^T}: 16 packed {@code [c_in, c_out]} matrices, element {@code 4 * i + j} (i along y, j along x). */
    private final PackedMatrix[] u = new PackedMatrix[16];

    private Winograd(float[] kernel, int cin, int cout) {
        this.cin = cin;
        this.cout = cout;
        float[][] t = new float[16][cin * cout];
        double[][] gg = new double[4][3];
        int stride = cin * cout;
        for (int ci = 0; ci < cin; ci++) {
            for (int co = 0; co < cout; co++) {
                int at = ci * cout + co;
                for (int kx = 0; kx < 3; kx++) { // G along y
                    double g0 = kernel[kx * stride + at], g1 = kernel[(3 + kx) * stride + at], g2 = kernel[(6 + kx) * stride + at];
                    gg[0][kx] = g0;
                    gg[1][kx] = (g0 + g1 + g2) / 2;
                    gg[2][kx] = (g0 - g1 + g2) / 2;
                    gg[3][kx] = g2;
                }
                for (int i = 0; i < 4; i++) { // G^T along x
                    double g0 = gg[i][0], g1 = gg[i][1], g2 = gg[i][2];
                    t[4 * i][at] = (float) g0;
                    t[4 * i + 1][at] = (float) ((g0 + g1 + g2) / 2);
                    t[4 * i + 2][at] = (float) ((g0 - g1 + g2) / 2);
                    t[4 * i + 3][at] = (float) g2;
                }
            }
        }
        for (int e = 0; e < 16; e++) u[e] = PackedMatrix.of(t[e], cin, cout);
    }

    /** For a {@code [3, 3, c_in, c_out]} kernel (Keras's layout). */
    public static Winograd of(float[] kernel, int cin, int cout) {
        if (kernel.length != 9 * cin * cout) throw new IllegalArgumentException("kernel of " + kernel.length + " floats is not 3x3x" + cin + "x" + cout);
        return new Winograd(kernel, cin, cout);
    }

    /**
     * Whether F(2x2, 3x3) beats gathered patches for these channel counts: the products shrink from 36 to 16 multiply-adds
     * per tile and channel pair, while the transforms cost about 100 operations per tile and channel. Measured with
     * {@code ConvBenchmark} (benchmarks/README.md): with 16 or more channels each way the products dominate.
     */
    public static boolean worthwhile(int cin, int cout) { return cin >= 16 && cout >= 16; }

    /**
     * {@code out[b, y, x, co] = clamp(bias[co] + sum x[b, y + ky - padTop, x + kx - padLeft, ci] * g[ky, kx, ci, co])}
     * for output pixels {@code [n, oh, ow]}, taps outside the {@code [n, h, w]} input reading zero. Every output
     * element is written. {@code bias} may be null; infinite bounds clamp nothing.
     */
    public void conv(CallContext ctx, float[] x, int n, int h, int w, int padTop, int padLeft, int oh, int ow,
                     float[] bias, float lower, float upper, float[] out) {
        int th = (oh + 1) / 2, tw = (ow + 1) / 2, perImage = th * tw, tiles = n * perImage;
        int blocks = (tiles + TILES_PER_BLOCK - 1) / TILES_PER_BLOCK;
        // One scratch array per chunk: the 16 transformed-input matrices, then the 16 products, then a 4x4 window.
        // Each matrix is padded by 16 floats and the products start 32 floats further, so no two matrices (nor a
        // matrix of inputs and its product) lie a multiple of 4 KiB apart: loads whose address matches a pending
        // store's in its low 12 bits wait for it (4K aliasing), which made this up to 1.7x slower depending on where
        // two separately allocated arrays happened to land.
        int vStride = TILES_PER_BLOCK * cin + 16, mStride = TILES_PER_BLOCK * cout + 16;
        int mAt = 16 * vStride + 32, patchAt = mAt + 16 * mStride;
        ctx.parallelFor(blocks, 16L * TILES_PER_BLOCK * cin * cout, (from, to) -> {
            float[] scratch = new float[patchAt + 16 * cin];
            for (int block = from; block < to; block++) {
                int t0 = block * TILES_PER_BLOCK, count = Math.min(tiles, t0 + TILES_PER_BLOCK) - t0;
                for (int i = 0; i < count; i++) {
                    int t = t0 + i, b = t / perImage, ty = t % perImage / tw, tx = t % tw;
                    int iy = 2 * ty - padTop, ix = 2 * tx - padLeft;
                    if (iy >= 0 && iy + 4 <= h && ix >= 0 && ix + 4 <= w) {
                        int r0 = ((b * h + iy) * w + ix) * cin, row = w * cin;
                        Gemm.KERNEL.winogradInput(x, r0, r0 + row, r0 + 2 * row, r0 + 3 * row, cin, scratch, i * cin, vStride);
                    } else {
                        gather(x, b, h, w, iy, ix, scratch, patchAt);
                        Gemm.KERNEL.winogradInput(scratch, patchAt, patchAt + 4 * cin, patchAt + 8 * cin, patchAt + 12 * cin, cin,
                                scratch, i * cin, vStride);
                    }
                }
                for (int e = 0; e < 16; e++) {
                    Gemm.multiply(count, scratch, e * vStride, cin, u[e], null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
                            scratch, mAt + e * mStride, cout);
                }
                for (int i = 0; i < count; i++) {
                    int t = t0 + i, b = t / perImage, oy = 2 * (t % perImage / tw), ox = 2 * (t % tw);
                    int o00 = ((b * oh + oy) * ow + ox) * cout;
                    boolean right = ox + 1 < ow, down = oy + 1 < oh;
                    Gemm.KERNEL.winogradOutput(scratch, mAt + i * cout, mStride, cout, bias, lower, upper, out, o00,
                            right ? o00 + cout : -1, down ? o00 + ow * cout : -1, right && down ? o00 + (ow + 1) * cout : -1);
                }
            }
        });
    }

    /** The 4x4 window at input (iy, ix) of image b into {@code patch} from {@code at} ({@code [4, 4, c_in]}), zeros outside. */
    private void gather(float[] x, int b, int h, int w, int iy, int ix, float[] patch, int at) {
        for (int r = 0; r < 4; r++) {
            int y = iy + r;
            for (int c = 0; c < 4; c++) {
                int xx = ix + c, dst = at + (4 * r + c) * cin;
                if (y < 0 || y >= h || xx < 0 || xx >= w) java.util.Arrays.fill(patch, dst, dst + cin, 0f);
                else System.arraycopy(x, ((b * h + y) * w + xx) * cin, patch, dst, cin);
            }
        }
    }

    /**
     * {@code B^T d B} for channels {@code [from, c)}: {@code d[r][col] = src[rowAt_r + col * c + ch]} (rows r0..r3),
     * element {@code 4 * i + j} written to {@code v[vOff + (4 * i + j) * stride + ch]}.
     */
    static void inputScalar(float[] src, int r0, int r1, int r2, int r3, int c, float[] v, int vOff, int stride, int from) {
        int c2 = 2 * c, c3 = 3 * c;
        for (int ch = from; ch < c; ch++) {
            // Along x (B applied to each row), then along y (B^T applied to each column).
            float a0 = src[r0 + ch] - src[r0 + c2 + ch], a1 = src[r0 + c + ch] + src[r0 + c2 + ch];
            float a2 = src[r0 + c2 + ch] - src[r0 + c + ch], a3 = src[r0 + c + ch] - src[r0 + c3 + ch];
            float b0 = src[r1 + ch] - src[r1 + c2 + ch], b1 = src[r1 + c + ch] + src[r1 + c2 + ch];
            float b2 = src[r1 + c2 + ch] - src[r1 + c + ch], b3 = src[r1 + c + ch] - src[r1 + c3 + ch];
            float d0 = src[r2 + ch] - src[r2 + c2 + ch], d1 = src[r2 + c + ch] + src[r2 + c2 + ch];
            float d2 = src[r2 + c2 + ch] - src[r2 + c + ch], d3 = src[r2 + c + ch] - src[r2 + c3 + ch];
            float f0 = src[r3 + ch] - src[r3 + c2 + ch], f1 = src[r3 + c + ch] + src[r3 + c2 + ch];
            float f2 = src[r3 + c2 + ch] - src[r3 + c + ch], f3 = src[r3 + c + ch] - src[r3 + c3 + ch];
            int o = vOff + ch;
            v[o] = a0 - d0;
            v[o + stride] = a1 - d1;
            v[o + 2 * stride] = a2 - d2;
            v[o + 3 * stride] = a3 - d3;
            v[o + 4 * stride] = b0 + d0;
            v[o + 5 * stride] = b1 + d1;
            v[o + 6 * stride] = b2 + d2;
            v[o + 7 * stride] = b3 + d3;
            v[o + 8 * stride] = d0 - b0;
            v[o + 9 * stride] = d1 - b1;
            v[o + 10 * stride] = d2 - b2;
            v[o + 11 * stride] = d3 - b3;
            v[o + 12 * stride] = b0 - f0;
            v[o + 13 * stride] = b1 - f1;
            v[o + 14 * stride] = b2 - f2;
            v[o + 15 * stride] = b3 - f3;
        }
    }

    /**
     * {@code A^T M A} for channels {@code [from, c)}: {@code M[i][j] = m[mOff + (4 * i + j) * stride + ch]}, plus
     * bias, clamped, to the output pixels at {@code o00, o01, o10, o11} (-1: outside the output, not written).
     */
    static void outputScalar(float[] m, int mOff, int stride, int c, float[] bias, float lower, float upper,
                             float[] out, int o00, int o01, int o10, int o11, int from) {
        for (int ch = from; ch < c; ch++) {
            int at = mOff + ch;
            // Along x (A^T applied to each row of M): columns 0 and 1 of each row i.
            float p0 = m[at] + m[at + stride] + m[at + 2 * stride], p1 = m[at + stride] - m[at + 2 * stride] - m[at + 3 * stride];
            at += 4 * stride;
            float q0 = m[at] + m[at + stride] + m[at + 2 * stride], q1 = m[at + stride] - m[at + 2 * stride] - m[at + 3 * stride];
            at += 4 * stride;
            float r0 = m[at] + m[at + stride] + m[at + 2 * stride], r1 = m[at + stride] - m[at + 2 * stride] - m[at + 3 * stride];
            at += 4 * stride;
            float s0 = m[at] + m[at + stride] + m[at + 2 * stride], s1 = m[at + stride] - m[at + 2 * stride] - m[at + 3 * stride];
            // Then along y.
            float base = bias == null ? 0f : bias[ch];
            store(out, o00, ch, base + (p0 + q0 + r0), lower, upper);
            store(out, o01, ch, base + (p1 + q1 + r1), lower, upper);
            store(out, o10, ch, base + (q0 - r0 - s0), lower, upper);
            store(out, o11, ch, base + (q1 - r1 - s1), lower, upper);
        }
    }

    private static void store(float[] out, int o, int ch, float value, float lower, float upper) {
        if (o >= 0) out[o + ch] = Math.min(Math.max(value, lower), upper);
    }
}
