package io.keras4j.runtime.math;

/** Elementwise functions faster than {@link Math}'s where the JDK's are slow, to the accuracy a float result needs. */
public final class FastMath {
    private FastMath() {}

    /**
     * {@code tanh} to double accuracy (the result is rounded to float anyway) at the cost of one {@code Math.exp},
     * which the JIT compiles to an intrinsic, where JDK 17's {@code Math.tanh} calls native fdlibm (several times
     * slower; recurrent cells call it twice per unit and step). Below 1/16, where {@code 1 - 2 / (e + 1)} would
     * cancel, its Taylor series to x^11 (the first term left out is below 1e-17 of the result); NaN stays NaN.
     */
    public static double tanh(double x) {
        double a = Math.abs(x);
        if (!(a >= 0.0625)) {
            double x2 = x * x;
            return x * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 + x2 * (62.0 / 2835 + x2 * (-1382.0 / 155925))))));
        }
        if (a > 20) return Math.copySign(1.0, x);
        return Math.copySign(1 - 2 / (Math.exp(2 * a) + 1), x);
    }

    /**
     * The logistic function {@code 1 / (1 + e^-x)} in double, branch-free: for very negative x, e^-x overflows to
     * infinity and the result is 0, as it should be.
     */
    public static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /** 1.5 * 2^23: adding it to a float of magnitude below 2^22 rounds it to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HIGH} is exact for the n that occur (Cody and Waite, as Cephes' expf). */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;

    /**
     * {@code e^x} in float, within 1 ulp of the exact value (FastMathTest measures the worst case over its whole
     * range: 0.98), for softmax, which calls it once per element: {@code Math.exp} costs about 11 ns here, and
     * the 10-way softmax of the benchmark MLP at batch 32 spent 3.6 us in it. Range reduction {@code x = n ln2 + r},
     * {@code |r| <= ln2 / 2}, then Cephes' degree-6 polynomial for {@code e^r}. Below the least normal float's log it
     * returns 0 (the true value is under 1.2e-38), above the largest float's log infinity; NaN stays NaN.
     */
    public static float exp(float x) {
        if (!(x > -87.33654f)) return x != x ? x : 0f;
        if (x > 88.72283f) return Float.POSITIVE_INFINITY;
        float t = x * LOG2E + ROUNDER;
        int n = Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUNDER);
        float nf = t - ROUNDER;
        float r = x - nf * LN2_HIGH - nf * LN2_LOW;
        float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r
                + 1.6666665459e-1f) * r + 5.0000001201e-1f;
        p = p * (r * r) + r + 1f;
        // 2^n as a float's exponent bits; n = 128 (x just below the overflow bound) needs two steps.
        return n < 128 ? p * Float.intBitsToFloat((n + 127) << 23) : p * 2f * Float.intBitsToFloat((n + 126) << 23);
    }
}
