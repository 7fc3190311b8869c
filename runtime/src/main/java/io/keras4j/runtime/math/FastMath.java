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
}
