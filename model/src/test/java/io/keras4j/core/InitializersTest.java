package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The distributions Keras documents for its initializers (limits, variances, orthogonality), and seeding. */
class InitializersTest {
    private static float[] draw(String name, long... shape) {
        return Initializers.create(new JsonString(name), shape, new Random(7)).toFloatArray();
    }

    private static double variance(float[] v) {
        double mean = 0, sq = 0;
        for (float x : v) mean += x;
        mean /= v.length;
        for (float x : v) sq += (x - mean) * (x - mean);
        return sq / v.length;
    }

    @Test
    void glorotUniformStaysWithinItsLimitWithItsVariance() {
        float[] v = draw("glorot_uniform", 200, 300);
        double limit = Math.sqrt(6.0 / (200 + 300));
        for (float x : v) assertThat(Math.abs(x)).isLessThanOrEqualTo((float) limit);
        assertThat(variance(v)).isCloseTo(limit * limit / 3, within(0.05 * limit * limit / 3));
        assertThat(v).as("same seed, same weights").containsExactly(draw("glorot_uniform", 200, 300));
    }

    @Test
    void heNormalIsTruncatedAtTwoDeviationsAndKeepsTheVarianceOfTwoOverFanIn() {
        // A convolution kernel: fan_in = 3 * 3 * 16.
        float[] v = draw("he_normal", 3, 3, 16, 64);
        double wanted = 2.0 / (3 * 3 * 16);
        double stddev = Math.sqrt(wanted) / 0.87962566103423978;
        for (float x : v) assertThat(Math.abs(x)).isLessThanOrEqualTo((float) (2 * stddev));
        assertThat(variance(v)).isCloseTo(wanted, within(0.08 * wanted));
    }

    @Test
    void orthogonalColumnsAreOrthonormal() {
        float[] v = draw("orthogonal", 50, 30);
        for (int a = 0; a < 30; a++) {
            for (int b = 0; b < 30; b++) {
                double dot = 0;
                for (int i = 0; i < 50; i++) dot += v[i * 30 + a] * v[i * 30 + b];
                assertThat(dot).isCloseTo(a == b ? 1 : 0, within(1e-5));
            }
        }
    }

    @Test
    void constantsAndConfigsAsKerasWritesThem() {
        assertThat(draw("zeros", 3)).containsOnly(0f);
        assertThat(draw("ones", 2, 2)).containsOnly(1f);
        JsonValue constant = KerasJson.parse("{\"class_name\": \"Constant\", \"config\": {\"value\": 0.5}}", null);
        assertThat(Initializers.create(constant, new long[] {4}, new Random(1)).toFloatArray()).containsOnly(0.5f);
        Tensor identity = Initializers.create(new JsonString("Identity"), new long[] {3, 3}, new Random(1));
        assertThat(identity.toFloatArray()).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 1);
        JsonValue uniform = KerasJson.parse("{\"class_name\": \"RandomUniform\", \"config\": {\"minval\": 2, \"maxval\": 3}}", null);
        for (float x : Initializers.create(uniform, new long[] {1000}, new Random(1)).toFloatArray()) assertThat(x).isBetween(2f, 3f);
    }
}
