package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Dialect;
import io.keras4j.runtime.math.FastMath;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Keras activation functions by name. Elementwise ones work in double precision and round once to float; softmax
 * and log_softmax work over the last axis.
 */
public final class ActivationFunctions {
    /** An activation applied in place to an array whose last axis has {@code lastDim} entries. */
    @FunctionalInterface
    public interface Fn {
        /** On {@code data[from, to)}, whole rows of {@code lastDim} entries (a thread's share of the rows). */
        void applyInPlace(float[] data, int from, int to, int lastDim);

        default void applyInPlace(float[] data, int lastDim) { applyInPlace(data, 0, data.length, lastDim); }
    }

    public static final Fn LINEAR = (data, from, to, lastDim) -> { };

    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private static final Map<String, DoubleUnaryOperator> ELEMENTWISE = Map.ofEntries(
            Map.entry("relu", x -> x > 0 ? x : 0),
            Map.entry("relu6", x -> Math.min(Math.max(x, 0), 6)),
            Map.entry("leaky_relu", x -> x >= 0 ? x : 0.2 * x),
            Map.entry("sigmoid", ActivationFunctions::sigmoid),
            Map.entry("tanh", ActivationFunctions::tanh),
            Map.entry("elu", x -> x > 0 ? x : Math.expm1(x)),
            Map.entry("selu", x -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))),
            Map.entry("softplus", ActivationFunctions::softplus),
            Map.entry("softsign", x -> x / (1 + Math.abs(x))),
            Map.entry("exponential", Math::exp),
            Map.entry("swish", x -> x * sigmoid(x)),
            Map.entry("silu", x -> x * sigmoid(x)),
            Map.entry("gelu", x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)))),
            Map.entry("mish", x -> x * Math.tanh(softplus(x))),
            Map.entry("hard_silu", x -> x * hardSigmoidKeras3(x)),
            Map.entry("hard_swish", x -> x * hardSigmoidKeras3(x)),
            Map.entry("celu", x -> Math.max(0, x) + Math.min(0, Math.expm1(x))),
            Map.entry("hard_tanh", x -> Math.min(1, Math.max(-1, x))),
            Map.entry("log_sigmoid", x -> -softplus(-x)),
            Map.entry("tanh_shrink", x -> x - Math.tanh(x)),
            Map.entry("soft_shrink", x -> x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0),
            Map.entry("hard_shrink", x -> Math.abs(x) > 0.5 ? x : 0),
            Map.entry("squareplus", x -> (x + Math.sqrt(x * x + 4)) / 2),
            Map.entry("sparse_plus", x -> x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4),
            Map.entry("sparse_sigmoid", x -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2));

    private ActivationFunctions() {}

    /**
     * The activation called {@code name}; {@code null} means linear. {@code hard_sigmoid} follows the dialect the
     * model was saved in: Keras 3 uses {@code relu6(x + 3) / 6}, Keras 1 and 2 use {@code clip(0.2 x + 0.5, 0, 1)}.
     */
    public static Fn of(String name, Dialect dialect) {
        if (name == null || name.equals("linear")) return LINEAR;
        switch (name) {
            case "softmax": return ActivationFunctions::softmax;
            case "log_softmax": return ActivationFunctions::logSoftmax;
            case "sparsemax": return ActivationFunctions::sparsemax;
            case "hard_sigmoid":
                return dialect == Dialect.KERAS3 ? elementwise(ActivationFunctions::hardSigmoidKeras3)
                        : elementwise(x -> Math.min(1, Math.max(0, 0.2 * x + 0.5)));
            default:
                DoubleUnaryOperator f = ELEMENTWISE.get(name);
                if (f == null) throw new UnsupportedModelException("activation '" + name + "' is not supported by the keras4j runtime");
                return elementwise(f);
        }
    }

    /** An elementwise activation as a scalar function, for recurrent cells; {@code null} means linear. */
    public static DoubleUnaryOperator scalar(String name, Dialect dialect) {
        if (name == null || name.equals("linear")) return x -> x;
        if (name.equals("hard_sigmoid")) {
            return dialect == Dialect.KERAS3 ? ActivationFunctions::hardSigmoidKeras3 : x -> Math.min(1, Math.max(0, 0.2 * x + 0.5));
        }
        DoubleUnaryOperator f = ELEMENTWISE.get(name);
        if (f == null) throw new UnsupportedModelException("activation '" + name + "' is not supported in a recurrent cell");
        return f;
    }

    /** Keras's own elementwise rendering of a unary function. */
    public static Fn elementwise(DoubleUnaryOperator f) {
        return (data, from, to, lastDim) -> {
            for (int i = from; i < to; i++) data[i] = (float) f.applyAsDouble(data[i]);
        };
    }

    /** {@link FastMath#tanh}: one {@code Math.exp} instead of JDK 17's native fdlibm {@code tanh}. */
    static double tanh(double x) { return FastMath.tanh(x); }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    static double softplus(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }

    private static double hardSigmoidKeras3(double x) { return Math.min(Math.max(x + 3, 0), 6) / 6; }

    /**
     * Over the last axis: {@link FastMath#exp(float)} (within an ulp, at a third of {@code Math.exp}'s cost), summed
     * in double, scaled by the sum's inverse. The exponentials wait in {@code data} for the row's sum, so nothing is
     * allocated per row. A NaN in a row makes its sum, and so the whole row, NaN, as in TensorFlow.
     */
    static void softmax(float[] data, int from, int to, int lastDim) {
        for (int row = from; row < to; row += lastDim) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < lastDim; j++) max = Math.max(max, data[row + j]);
            double sum = 0;
            for (int j = 0; j < lastDim; j++) {
                float e = FastMath.exp(data[row + j] - max);
                data[row + j] = e;
                sum += e;
            }
            double inverse = 1 / sum;
            for (int j = 0; j < lastDim; j++) data[row + j] = (float) (data[row + j] * inverse);
        }
    }

    /**
     * Sparsemax as Keras 3 computes it: the support {@code z_(k) > (cumsum_k - 1) / k} of the sorted row, then
     * {@code tau = (sum of cumsum over the support - 1) / |support|}. Keras sums the cumulative sums where the paper
     * (Martins and Astudillo, 2016) takes the cumulative sum at the support's end; keras4j follows Keras.
     */
    static void sparsemax(float[] data, int from, int to, int lastDim) {
        float[] sorted = new float[lastDim];
        for (int row = from; row < to; row += lastDim) {
            for (int j = 0; j < lastDim; j++) sorted[j] = data[row + j];
            java.util.Arrays.sort(sorted);
            float cumulative = 0, supportSum = 0;
            int support = 0;
            for (int k = 1; k <= lastDim; k++) {
                float z = sorted[lastDim - k];
                cumulative += z;
                if (z - (cumulative - 1) / k > 0) {
                    support++;
                    supportSum += cumulative;
                }
            }
            float tau = (supportSum - 1) / support;
            for (int j = 0; j < lastDim; j++) data[row + j] = Math.max(data[row + j] - tau, 0);
        }
    }

    private static void logSoftmax(float[] data, int from, int to, int lastDim) {
        for (int row = from; row < to; row += lastDim) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < lastDim; j++) max = Math.max(max, data[row + j]);
            double sum = 0;
            for (int j = 0; j < lastDim; j++) sum += Math.exp(data[row + j] - max);
            double log = Math.log(sum);
            for (int j = 0; j < lastDim; j++) data[row + j] = (float) (data[row + j] - max - log);
        }
    }
}
