package io.keras4j.tfgraph;

/**
 * glibc's single-precision {@code logf} and {@code sincosf} (the Arm optimized-routines algorithms glibc ships since
 * 2.28), step for step in double as they compute. TensorFlow's Box-Muller normals call these, and they are not
 * correctly rounded (up to 0.82 ulp), so a correctly rounded {@code (float) Math.log(x)} differs from TensorFlow's
 * numbers in about one pair in forty; following the same table, polynomial and operation order gives its bits.
 */
final class FloatLibm {
    private FloatLibm() {}

    // logf: x = 2^k z with z near 1/c_i for 16 subintervals, then log1p(z c_i - 1) by a cubic.
    private static final double[] LOG_INVC = {
        0x1.661ec79f8f3bep+0, 0x1.571ed4aaf883dp+0, 0x1.49539f0f010bp+0, 0x1.3c995b0b80385p+0,
        0x1.30d190c8864a5p+0, 0x1.25e227b0b8eap+0, 0x1.1bb4a4a1a343fp+0, 0x1.12358f08ae5bap+0,
        0x1.0953f419900a7p+0, 0x1p+0, 0x1.e608cfd9a47acp-1, 0x1.ca4b31f026aap-1,
        0x1.b2036576afce6p-1, 0x1.9c2d163a1aa2dp-1, 0x1.886e6037841edp-1, 0x1.767dcf5534862p-1,
    };
    private static final double[] LOG_LOGC = {
        -0x1.57bf7808caadep-2, -0x1.2bef0a7c06ddbp-2, -0x1.01eae7f513a67p-2, -0x1.b31d8a68224e9p-3,
        -0x1.6574f0ac07758p-3, -0x1.1aa2bc79c81p-3, -0x1.a4e76ce8c0e5ep-4, -0x1.1973c5a611cccp-4,
        -0x1.252f438e10c1ep-5, 0x0p+0, 0x1.aa5aa5df25984p-5, 0x1.c5e53aa362eb4p-4,
        0x1.526e57720db08p-3, 0x1.bc2860d22477p-3, 0x1.1058bc8a07ee1p-2, 0x1.4043057b6ee09p-2,
    };
    private static final double LN2 = 0x1.62e42fefa39efp-1;
    private static final double A0 = -0x1.00ea348b88334p-2, A1 = 0x1.5575b0be00b6ap-2, A2 = -0x1.ffffef20a4123p-2;
    private static final int OFF = 0x3f330000;

    static float logf(float x) {
        int ix = Float.floatToRawIntBits(x);
        if (ix == 0x3f800000) return 0f;
        if (Integer.compareUnsigned(ix - 0x00800000, 0x7f800000 - 0x00800000) >= 0) {
            if (ix * 2 == 0) return Float.NEGATIVE_INFINITY;
            if (ix == 0x7f800000) return x;
            if ((ix & 0x80000000) != 0 || Integer.compareUnsigned(ix * 2, 0xff000000) >= 0) return Float.NaN;
            ix = Float.floatToRawIntBits(x * 0x1p23f) - (23 << 23);
        }
        int tmp = ix - OFF;
        int i = (tmp >>> (23 - 4)) % 16;
        int k = tmp >> 23;
        int iz = ix - (tmp & (0x1ff << 23));
        double z = Float.intBitsToFloat(iz);
        double r = z * LOG_INVC[i] - 1;
        double y0 = LOG_LOGC[i] + (double) k * LN2;
        double r2 = r * r;
        double y = A1 * r + A2;
        y = A0 * r2 + y;
        y = y * r2 + (y0 + r);
        return (float) y;
    }

    // sincosf: reduction by multiples of pi/2, then sine and cosine polynomials in double.
    private static final double HPI_INV = 0x1.45F306DC9C883p+23, HPI = 0x1.921FB54442D18p0;
    private static final double C1 = -0x1.ffffffd0c621cp-2, C2 = 0x1.55553e1068f19p-5, C3 = -0x1.6c087e89a359dp-10,
            C4 = 0x1.99343027bf8c3p-16, S1 = -0x1.555545995a603p-3, S2 = 0x1.1107605230bc4p-7, S3 = -0x1.994eb3774cf24p-13;
    private static final double[] SIGN = {1.0, -1.0, -1.0, 1.0};

    private static int abstop12(float x) { return (Float.floatToRawIntBits(x) >>> 20) & 0x7ff; }

    /** {@code {sinf(y), cosf(y)}} as glibc's sincosf gives them, for |y| < 120 (all Box-Muller needs). */
    static float[] sincosf(float y) {
        if (!(Math.abs(y) < 120f)) throw new IllegalArgumentException("sincosf port covers |y| < 120, not " + y);
        double x = y;
        if (abstop12(y) < abstop12((float) 0x1.921FB54442D18p-1)) {
            if (abstop12(y) < abstop12(0x1p-12f)) return new float[] {y, 1.0f};
            return poly(x, x * x, 1.0, 0);
        }
        double r = x * HPI_INV;
        int n = ((int) r + 0x800000) >> 24;
        x = x - n * HPI;
        double s = SIGN[n & 3];
        // The second table entry computes -cos(x): the cosine coefficients negated.
        return poly(x * s, x * x, (n & 2) != 0 ? -1.0 : 1.0, n);
    }

    private static float[] poly(double x, double x2, double cosSign, int n) {
        double c0 = cosSign, c1 = cosSign * C1, c2 = cosSign * C2, c3 = cosSign * C3, c4 = cosSign * C4;
        double x4 = x2 * x2;
        double x3 = x2 * x;
        double cc2 = c3 + x2 * c4;
        double s1 = S2 + x2 * S3;
        double cc1 = c0 + x2 * c1;
        double x5 = x3 * x2;
        double x6 = x4 * x2;
        double s = x + x3 * S1;
        double c = cc1 + x4 * c2;
        float sin = (float) (s + x5 * s1);
        float cos = (float) (c + x6 * cc2);
        // Odd quadrants swap the two results.
        return (n & 1) != 0 ? new float[] {cos, sin} : new float[] {sin, cos};
    }
}
