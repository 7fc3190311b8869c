package io.keras4j.runtime.layers;

import io.keras4j.core.TfOpLambdas;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;
import java.util.Map;

/**
 * tf.keras {@code TFOpLambda} nodes, which functional models record for TensorFlow calls on symbolic tensors
 * ({@code x * 2.0}, {@code tf.nn.relu(x)}, {@code tf.reduce_mean(x, axis=-1)}). The first input is {@code x}; the
 * second operand {@code y} is a keyword tensor or a constant of the call; reductions take {@code axis}/{@code keepdims}.
 */
final class TfOpLambdaOp implements LayerOp {
    private static final Map<String, Broadcast.FloatOp> BINARY = Map.of(
            "math.add", Float::sum, "__operators__.add", Float::sum, "math.subtract", (a, b) -> a - b,
            "math.multiply", (a, b) -> a * b, "math.truediv", (a, b) -> a / b, "math.divide", (a, b) -> a / b,
            "math.maximum", Math::max, "math.minimum", Math::min, "math.pow", (a, b) -> (float) Math.pow(a, b),
            "math.squared_difference", (a, b) -> (a - b) * (a - b));
    private static final Map<String, java.util.function.DoubleUnaryOperator> MATH = Map.of(
            "math.log", Math::log, "math.sqrt", Math::sqrt, "math.rsqrt", x -> 1 / Math.sqrt(x),
            "math.square", x -> x * x, "math.negative", x -> -x, "math.abs", Math::abs);
    private static final List<String> REDUCTIONS = List.of("math.reduce_mean", "math.reduce_sum", "math.reduce_max",
            "math.reduce_min");

    private final LayerSpec spec;
    private final String function;
    private final JsonObject kwargs;

    TfOpLambdaOp(LayerSpec spec) { this(spec, JsonObject.EMPTY); }

    private TfOpLambdaOp(LayerSpec spec, JsonObject kwargs) { this(spec, Configs.string(spec, "function", ""), kwargs); }

    /** The function called with these arguments, whatever the spec's config names (a Keras 3 operation node's). */
    TfOpLambdaOp(LayerSpec spec, String function, JsonObject kwargs) {
        this.spec = spec;
        this.function = function;
        this.kwargs = kwargs;
        if (!BINARY.containsKey(function) && TfOpLambdas.activation(function).isEmpty() && !MATH.containsKey(function)
                && !REDUCTIONS.contains(function)) {
            throw Configs.unsupported(spec, "TensorFlow function tf." + function);
        }
    }

    @Override
    public LayerOp forCall(InboundNode node) { return new TfOpLambdaOp(spec, function, node.kwargs()); }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] x = in.get(0);
        if (REDUCTIONS.contains(function)) {
            return List.of(Shapes.reduced(x, Shapes.axis(axis(), x.length), kwargs.getBoolean("keepdims", false)));
        }
        if (BINARY.containsKey(function) && in.size() > 1 && in.get(1).length > x.length) return List.of(in.get(1));
        return List.of(x);
    }

    private int axis() {
        JsonValue v = kwargs.get("axis");
        if (!(v instanceof JsonNumber n)) throw Configs.unsupported(spec, "tf." + function + " with axis " + v.toJson());
        return n.intValue();
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        NdArray x = inputs.get(0).array();
        if (BINARY.containsKey(function)) {
            NdArray y = inputs.size() > 1 ? inputs.get(1).array() : constant("y");
            return List.of(Value.of(Broadcast.apply(x, y, BINARY.get(function))));
        }
        if (REDUCTIONS.contains(function)) return List.of(Value.of(reduce(x)));
        float[] out = x.data().clone();
        ActivationFunctions.Fn fn = TfOpLambdas.activation(function).isPresent() ? ActivationFunctions.of(TfOpLambdas.activation(function).get(), spec.sourceDialect())
                : ActivationFunctions.elementwise(MATH.get(function));
        fn.applyInPlace(out, x.dim(-1));
        return List.of(new Value(NdArray.wrap(out, x.shape()), inputs.get(0).mask()));
    }

    private NdArray constant(String key) {
        JsonValue v = kwargs.get(key);
        if (!(v instanceof JsonNumber n)) throw Configs.unsupported(spec, "tf." + function + " with " + key + "=" + v.toJson());
        return NdArray.wrap(new float[] {(float) n.doubleValue()});
    }

    private NdArray reduce(NdArray x) {
        int axis = Shapes.axis(axis(), x.rank());
        int n = x.dim(axis), inner = x.stride(axis + 1), outer = x.size() / (n * inner);
        float[] src = x.data(), out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = function.endsWith("max") ? Double.NEGATIVE_INFINITY : function.endsWith("min") ? Double.POSITIVE_INFINITY : 0;
                for (int k = 0; k < n; k++) {
                    float v = src[(o * n + k) * inner + i];
                    acc = function.endsWith("max") ? Math.max(acc, v) : function.endsWith("min") ? Math.min(acc, v) : acc + v;
                }
                out[o * inner + i] = (float) (function.endsWith("mean") ? acc / n : acc);
            }
        }
        long[] shape = outputShapes(List.of(java.util.Arrays.stream(x.shape()).asLongStream().toArray())).get(0);
        return NdArray.wrap(out, java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
    }
}
