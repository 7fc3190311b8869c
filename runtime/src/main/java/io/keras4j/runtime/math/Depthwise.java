package io.keras4j.runtime.math;

/**
 * The inner step of a depthwise convolution (depth multiplier 1, channels-last) on the kernel {@link Gemm} chose:
 * the Vector API one keeps a vector of channels in a register over all taps of the window and stores it once.
 */
public final class Depthwise {
    private Depthwise() {}

    /**
     * One output pixel: {@code out[o + ch] = clamp(bias[ch] + sum_t x[xAt[t] + ch] * k[kAt[t] + ch])} for
     * {@code ch < c}, over the {@code taps} window taps that fall inside the input. {@code bias} may be null;
     * infinite bounds clamp nothing.
     */
    public static void pixel(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                             float[] out, int o, int c) {
        Gemm.KERNEL.depthwisePixel(x, xAt, k, kAt, taps, bias, lower, upper, out, o, c);
    }

    /** The scalar form, shared by both kernels for the channels past the last whole vector. */
    static void pixelScalar(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                            float[] out, int o, int from, int c) {
        if (bias == null) java.util.Arrays.fill(out, o + from, o + c, 0f);
        else System.arraycopy(bias, from, out, o + from, c - from);
        for (int t = 0; t < taps; t++) {
            int xi = xAt[t], ki = kAt[t];
            for (int ch = from; ch < c; ch++) out[o + ch] += x[xi + ch] * k[ki + ch];
        }
        if (lower == Float.NEGATIVE_INFINITY && upper == Float.POSITIVE_INFINITY) return;
        for (int ch = from; ch < c; ch++) out[o + ch] = Math.min(Math.max(out[o + ch], lower), upper);
    }

    /**
     * {@code count} adjacent output pixels of a 3x3 window (depth multiplier 1) whose nine taps all fall inside the
     * input: tap (ky, kx) of pixel p reads {@code x[rowAt[ky] + xAt + p * step + kx * c + ch]} and
     * {@code k[(3 * ky + kx) * c + ch]}; pixel p goes to {@code out[o + p * c + ch]}. The same sums in the same order
     * as {@link #pixel}, without gathering tap offsets per pixel: the Vector API kernel keeps the nine kernel vectors
     * of a block of channels in registers over the whole run of pixels.
     */
    public static void interiorRow3x3(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias,
                                      float lower, float upper, float[] out, int o, int c) {
        Gemm.KERNEL.depthwiseRow3x3(x, rowAt, xAt, step, count, k, bias, lower, upper, out, o, c);
    }

    /** The scalar form of {@link #interiorRow3x3} for channels {@code [from, c)}. */
    static void interiorRow3x3Scalar(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias,
                                     float lower, float upper, float[] out, int o, int from, int c) {
        boolean clamp = lower != Float.NEGATIVE_INFINITY || upper != Float.POSITIVE_INFINITY;
        for (int p = 0; p < count; p++) {
            int at = xAt + p * step, dst = o + p * c;
            for (int ch = from; ch < c; ch++) {
                float acc = bias == null ? 0f : bias[ch];
                for (int ky = 0; ky < 3; ky++) {
                    int row = rowAt[ky] + at + ch, kAt = 3 * ky * c + ch;
                    acc += x[row] * k[kAt];
                    acc += x[row + c] * k[kAt + c];
                    acc += x[row + 2 * c] * k[kAt + 2 * c];
                }
                out[dst + ch] = clamp ? Math.min(Math.max(acc, lower), upper) : acc;
            }
        }
    }
}
