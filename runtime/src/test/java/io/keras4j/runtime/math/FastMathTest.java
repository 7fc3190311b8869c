package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link FastMath#exp(float)} against {@link Math#exp} in double, over every 97th float of its whole range. */
class FastMathTest {
    @Test
    void floatExpIsWithinOneUlpOfTheExactValueOverItsWholeRange() {
        double worstUlps = 0;
        float worstAt = 0;
        long checked = 0;
        // Every 97th bit pattern from -88 to +89 (both signs), so each binade is sampled densely.
        for (int sign = 0; sign < 2; sign++) {
            int top = Float.floatToRawIntBits(sign == 0 ? 89f : 88f);
            for (int bits = 0; bits <= top; bits += 97) {
                float x = Float.intBitsToFloat(bits);
                if (sign == 1) x = -x;
                double exact = Math.exp(x);
                float got = FastMath.exp(x);
                if (exact > Float.MAX_VALUE) {
                    assertThat(got).as("exp(%s) overflows", x).isEqualTo(Float.POSITIVE_INFINITY);
                } else if (exact < Float.MIN_NORMAL) {
                    assertThat(got).as("exp(%s) is below the normal floats", x).isBetween(0f, Float.MIN_NORMAL);
                } else {
                    double ulps = Math.abs(got - exact) / Math.ulp((float) exact);
                    if (ulps > worstUlps) {
                        worstUlps = ulps;
                        worstAt = x;
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20_000_000L);
        assertThat(worstUlps).as("worst error, at x = %s", worstAt).isLessThanOrEqualTo(1.0);
    }

    @Test
    void floatExpKeepsTheSpecialValues() {
        assertThat(FastMath.exp(0f)).isEqualTo(1f);
        assertThat(FastMath.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(FastMath.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FastMath.exp(Float.NaN)).isNaN();
        assertThat(FastMath.exp(-1000f)).isEqualTo(0f);
        assertThat(FastMath.exp(88.72f)).isFinite().isGreaterThan(3.3e38f);
    }
}
