package io.keras4j.runtime.math;

/**
 * The elementwise half of an LSTM step (sigmoid gates, tanh candidate and output) on the kernel {@link Gemm} chose:
 * the Vector API one computes a vector of units at a time in single precision (its EXP and TANH operators), the
 * scalar one in double precision through {@link FastMath}.
 */
public final class Recurrent {
    private Recurrent() {}

    /**
     * One sample's LSTM update from the pre-activations of its four gates ({@code [i, f, c, o]}, {@code units} each),
     * the sums {@code x[xAt + j] + r[rAt + j]} of the input and the recurrent projection:
     * {@code c = sigmoid(f) * c + sigmoid(i) * tanh(cand)}, {@code h = sigmoid(o) * tanh(c)} on
     * {@code c[o..o+units)} and {@code h[o..o+units)}.
     */
    public static void lstmCell(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int units) {
        Gemm.KERNEL.lstmCell(x, xAt, r, rAt, c, h, o, units);
    }

    /** The scalar form, shared by both kernels for the units past the last whole vector. */
    static void lstmCellScalar(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int from, int units) {
        for (int u = from; u < units; u++) {
            double in = FastMath.sigmoid(x[xAt + u] + r[rAt + u]);
            double forget = FastMath.sigmoid(x[xAt + units + u] + r[rAt + units + u]);
            double candidate = FastMath.tanh(x[xAt + 2 * units + u] + r[rAt + 2 * units + u]);
            double out = FastMath.sigmoid(x[xAt + 3 * units + u] + r[rAt + 3 * units + u]);
            float state = (float) (forget * c[o + u] + in * candidate);
            c[o + u] = state;
            h[o + u] = (float) (out * FastMath.tanh(state));
        }
    }
}
