package io.keras4j.runtime.layers;

/** The error function in double precision (Java has none), for exact GELU. */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Erf() {}

    /**
     * Maclaurin series below |x| = 4 (terms peak near 1e5 there, leaving ~1e-11 absolute error in double); beyond,
     * 1 - erf(x) is below 1.6e-8, under float32's resolution near 1.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 4) return Math.signum(x);
        double term = x, sum = x, x2 = x * x;
        for (int n = 1; n < 80; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }
}
