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
}
