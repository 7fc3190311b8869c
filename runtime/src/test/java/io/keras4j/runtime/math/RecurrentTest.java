package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Recurrent#lstmCell} on both kernels against {@link Math#exp} and {@link Math#tanh} in double precision.
 * Each gate's function is isolated by saturating the others (a gate pre-activation of +-100 is 1 or 0 to float
 * precision), so every sigmoid and tanh the Vector API path computes in single precision is checked on its own, over
 * magnitudes from 1e-8 to 100, both signs, around 0.625 and 88 (where float implementations switch formulas or
 * overflow), zero and NaN. 37 units: two whole vectors of 16 floats and a scalar tail.
 */
class RecurrentTest {
    private static final int UNITS = 37;
    /** Relative, plus an absolute floor for results below 1e-37 (sigmoid of -88 and less: float denormals). */
    private static final double REL = 1e-6;
    private static final double ABS = 1e-37;

    interface Cell { void apply(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int units); }

    @Test
    void chosenKernelMatchesDoublePrecision() { check(Recurrent::lstmCell); }

    @Test
    void scalarKernelMatchesDoublePrecision() { check(Gemm.SCALAR::lstmCell); }

    @Test
    void vectorKernelMatchesDoublePrecisionWhereTheJvmHasIt() { Gemm.vector().ifPresent(k -> check(k::lstmCell)); }

    private static List<Float> arguments() {
        List<Float> xs = new ArrayList<>(List.of(0f, -0f, 0.625f, -0.625f, 0.62499994f, 0.6250001f, 87.3f, -87.3f, 88f,
                -88f, 88.7f, -88.7f, 100f, -100f, 1e-8f, -1e-8f));
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            float magnitude = (float) Math.pow(10, -8 + 10 * rnd.nextDouble());
            xs.add(rnd.nextBoolean() ? magnitude : -magnitude);
        }
        return xs;
    }

    private static void check(Cell cell) {
        List<Float> xs = arguments();
        float[] high = filled(100f), low = filled(-100f), zero = filled(0f), one = filled(1f);
        for (int start = 0; start < xs.size(); start += UNITS) {
            float[] v = new float[UNITS];
            for (int u = 0; u < UNITS; u++) v[u] = xs.get((start + u) % xs.size());
            // Input gate: c = sigmoid(i) * tanh(100) + sigmoid(-100) * 0.
            float[] c = step(cell, v, low, high, high, zero)[0];
            for (int u = 0; u < UNITS; u++) assertClose("sigmoid", v[u], c[u], sigmoid(v[u]));
            // Forget gate: c = sigmoid(f) * 1 + sigmoid(-100) * tanh(0).
            c = step(cell, low, v, zero, high, one)[0];
            for (int u = 0; u < UNITS; u++) assertClose("sigmoid", v[u], c[u], sigmoid(v[u]));
            // Candidate: c = tanh(g), then h = sigmoid(100) * tanh(c).
            float[][] ch = step(cell, high, low, v, high, zero);
            for (int u = 0; u < UNITS; u++) {
                assertClose("tanh", v[u], ch[0][u], Math.tanh(v[u]));
                assertClose("tanh", ch[0][u], ch[1][u], Math.tanh(ch[0][u]));
            }
            // Output gate: c = 1, h = sigmoid(o) * tanh(1).
            float[] h = step(cell, high, low, high, v, zero)[1];
            for (int u = 0; u < UNITS; u++) assertClose("sigmoid(o) * tanh(1) at", v[u], h[u], sigmoid(v[u]) * Math.tanh(1));
        }
        float[] nan = filled(Float.NaN);
        float[][] ch = step(cell, high, low, nan, nan, zero);
        for (int u = 0; u < UNITS; u++) assertThat(ch[0][u]).as("tanh(NaN) at unit %d", u).isNaN();
        for (int u = 0; u < UNITS; u++) assertThat(ch[1][u]).as("sigmoid(NaN) at unit %d", u).isNaN();
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /**
     * One cell step from gate pre-activations {@code i, f, g, o} (each split over the input and the recurrent
     * projection, halves that sum exactly, at offsets as a batch row inside larger arrays) and the state {@code c0};
     * returns {c, h}.
     */
    private static float[][] step(Cell cell, float[] i, float[] f, float[] g, float[] o, float[] c0) {
        int xAt = 3, rAt = 5, at = 2;
        float[] x = new float[xAt + 4 * UNITS], r = new float[rAt + 4 * UNITS];
        float[][] gates = {i, f, g, o};
        for (int gate = 0; gate < 4; gate++) {
            for (int u = 0; u < UNITS; u++) {
                float pre = gates[gate][u], half = pre / 2;
                x[xAt + gate * UNITS + u] = half;
                r[rAt + gate * UNITS + u] = pre - half;
            }
        }
        float[] c = new float[at + UNITS], h = new float[at + UNITS];
        System.arraycopy(c0, 0, c, at, UNITS);
        cell.apply(x, xAt, r, rAt, c, h, at, UNITS);
        return new float[][] {java.util.Arrays.copyOfRange(c, at, at + UNITS), java.util.Arrays.copyOfRange(h, at, at + UNITS)};
    }

    private static float[] filled(float value) {
        float[] a = new float[UNITS];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static void assertClose(String fn, float arg, float actual, double expected) {
        assertThat((double) actual).as("%s(%s)", fn, arg).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(REL * Math.abs(expected) + ABS));
    }
}
