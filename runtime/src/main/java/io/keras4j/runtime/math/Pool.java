package io.keras4j.runtime.math;

/**
 * The inner step of max and average pooling (channels-last) on the kernel {@link Gemm} chose: the Vector API one
 * keeps a vector of channels in a register over all taps of the window and stores it once.
 */
public final class Pool {
    /**
     * The {@code CallContext.parallelFor} cost of one value read by a memory-bound pass (pooling, merges), in the
     * multiply-adds its threshold counts: the CNN's first max pooling took 0.3 ms for 2^20 values read, about 16
     * times a packed matmul's time for as many multiply-adds, and ran on one thread for lack of this factor.
     */
    public static final int MEMORY_BOUND_COST = 16;

    private Pool() {}

    /**
     * One output pixel over the {@code taps} window positions inside the input, starting at {@code xAt[t]}:
     * {@code out[o + ch]} = the maximum ({@code max}) or the mean of {@code x[xAt[t] + ch]} for {@code ch < c}
     * (the sum in tap order, divided by {@code taps}, as one thread of TensorFlow's kernel adds them).
     */
    public static void pixel(float[] x, int[] xAt, int taps, boolean max, float[] out, int o, int c) {
        Gemm.KERNEL.poolPixel(x, xAt, taps, max, out, o, c);
    }

    /** The scalar form, shared by both kernels for the channels past the last whole vector. */
    static void pixelScalar(float[] x, int[] xAt, int taps, boolean max, float[] out, int o, int from, int c) {
        for (int ch = from; ch < c; ch++) {
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            for (int t = 0; t < taps; t++) {
                float v = x[xAt[t] + ch];
                acc = max ? Math.max(acc, v) : acc + v;
            }
            out[o + ch] = max ? acc : acc / taps;
        }
    }
}
