package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.core.TfOpLambdas;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Graph nodes that record tensor expressions rather than layers. Keras 3 operation nodes
 * ({@code keras.src.ops.numpy}): comparisons and logical ops (the masks Keras computes, e.g.
 * {@code NotEqual(tokens, 0)} for {@code Embedding(mask_zero=True)}), {@code any}/{@code all} reductions,
 * elementwise arithmetic and a few unary functions; constant arguments take the dtype of the tensor they meet.
 * tf.keras {@code TFOpLambda} nodes: the TensorFlow function they name.
 */
record OperationEmitter(TfOps ops, Activations activations) {
    private static final Map<String, String> COMPARISONS = Map.of("Equal", "Equal", "NotEqual", "NotEqual",
            "Greater", "Greater", "GreaterEqual", "GreaterEqual", "Less", "Less", "LessEqual", "LessEqual");
    private static final Map<String, String> ARITHMETIC = Map.of("Add", "AddV2", "Subtract", "Sub", "Multiply", "Mul",
            "Divide", "RealDiv", "TrueDivide", "RealDiv", "Maximum", "Maximum", "Minimum", "Minimum");
    private static final Map<String, String> UNARY = Map.of("Negative", "Neg", "Absolute", "Abs", "Abs", "Abs",
            "Sqrt", "Sqrt", "Square", "Square", "Exp", "Exp", "Log", "Log", "Tanh", "Tanh");

    /** tf.keras TFOpLambda functions: binary ones take {@code y} as a second input or a constant keyword. */
    private static final Map<String, String> TF_BINARY = Map.of("math.add", "AddV2", "__operators__.add", "AddV2",
            "math.subtract", "Sub", "math.multiply", "Mul", "math.truediv", "RealDiv", "math.divide", "RealDiv",
            "math.maximum", "Maximum", "math.minimum", "Minimum", "math.pow", "Pow", "math.squared_difference", "SquaredDifference");
    private static final Map<String, String> TF_UNARY = Map.of("math.log", "Log", "math.sqrt", "Sqrt", "math.rsqrt", "Rsqrt",
            "math.square", "Square", "math.negative", "Neg", "math.abs", "Abs");
    private static final Map<String, String> TF_REDUCTIONS = Map.of("math.reduce_mean", "Mean", "math.reduce_sum", "Sum",
            "math.reduce_max", "Max", "math.reduce_min", "Min");

    /** A Keras 3 operation node. */
    Tensor operation(LayerCall call) {
        String cls = call.layer().className();
        String n = call.name();
        List<Tensor> args = arguments(call);
        Tensor y;
        if (COMPARISONS.containsKey(cls)) {
            y = ops.compare(COMPARISONS.get(cls), n, args.get(0), args.get(1));
        } else if (cls.equals("LogicalAnd") || cls.equals("LogicalOr")) {
            y = ops.logical(cls, n, bool(n + "/x", args.get(0)), bool(n + "/y", args.get(1)));
        } else if (cls.equals("LogicalNot")) {
            y = ops.logicalNot(n, bool(n + "/x", args.get(0)));
        } else if (cls.equals("Any") || cls.equals("All")) {
            y = reduction(call, cls, bool(n + "/x", args.get(0)));
        } else if (ARITHMETIC.containsKey(cls)) {
            y = ops.binary(ARITHMETIC.get(cls), n, args.get(0), args.get(1));
        } else if (UNARY.containsKey(cls)) {
            y = ops.unary(UNARY.get(cls), n, args.get(0));
        } else {
            throw unsupported(call.layer(), "no TensorFlow translation of this Keras operation");
        }
        return call.outputShapes().isEmpty() ? y : y.withShape(call.outputShape());
    }

    private Tensor reduction(LayerCall call, String op, Tensor x) {
        JsonValue axis = call.config().get("axis");
        long[] axes = axis instanceof JsonArray a ? a.toLongs() : axis instanceof JsonNumber v ? new long[] {v.longValue()} : null;
        if (axes == null) throw unsupported(call.layer(), "a reduction over all axes");
        int[] ints = Arrays.stream(axes).mapToInt(Math::toIntExact).toArray();
        return ops.reduce(op, call.name(), x, call.config().getBoolean("keepdims", false), ints);
    }

    private Tensor bool(String n, Tensor x) { return ops.cast(n, x, DataType.DT_BOOL); }

    /**
     * The positional arguments: the node's tensors in order, with its numeric constants ({@code x != 0}) as scalars
     * of the dtype of the first tensor argument.
     */
    private List<Tensor> arguments(LayerCall call) {
        List<Tensor> tensors = call.inputs().stream().map(KerasTensor::value).toList();
        JsonValue raw = call.node() == null ? null : call.node().rawNode().orElse(null);
        if (raw == null || !raw.isObject() || !raw.asObject().get("args").isArray()) return tensors;
        List<Tensor> args = new ArrayList<>();
        Iterator<Tensor> next = tensors.iterator();
        int i = 0;
        for (JsonValue a : raw.asObject().getArray("args")) {
            if (a instanceof JsonNumber number) {
                args.add(ops.scalarLike(call.name() + "/arg_" + i, tensors.get(0), number.doubleValue()));
            } else if (a.isObject() && next.hasNext()) {
                args.add(next.next());
            } else {
                throw unsupported(call.layer(), "operation argument " + a.toJson());
            }
            i++;
        }
        return args;
    }

    /**
     * A tf.keras {@code TFOpLambda} node (a TensorFlow call on a symbolic tensor: {@code x * 2.0},
     * {@code tf.nn.relu(x)}, {@code tf.reduce_mean(x, axis=-1)}) as that TensorFlow op; elementwise functions of
     * one input keep its mask.
     */
    KerasTensor tfOpLambda(LayerCall call) {
        String function = call.config().getString("function", "");
        String n = call.name();
        KerasTensor in = call.input();
        Tensor x = in.value();
        if (TF_BINARY.containsKey(function)) {
            Tensor other = call.inputs().size() > 1 ? call.inputs().get(1).value() : keywordConstant(call, "y", x);
            return KerasTensor.of(ops.binary(TF_BINARY.get(function), n, x, other).withShape(call.outputShape()));
        }
        if (TF_REDUCTIONS.containsKey(function)) {
            JsonValue axis = call.kwargs().get("axis");
            if (!(axis instanceof JsonNumber a)) throw unsupported(call.layer(), "tf." + function + " with axis " + axis.toJson());
            return KerasTensor.of(ops.reduce(TF_REDUCTIONS.get(function), n, x, call.kwargs().getBoolean("keepdims", false), a.intValue()));
        }
        Tensor y;
        Optional<String> activation = TfOpLambdas.activation(function);
        if (activation.isPresent()) {
            y = activations.apply(n, n + "/" + activation.get(), activation.get(), x, call.dialect());
        } else if (TF_UNARY.containsKey(function)) {
            y = ops.unary(TF_UNARY.get(function), n, x);
        } else {
            throw unsupported(call.layer(), "TensorFlow function tf." + function);
        }
        return new KerasTensor(y.withShape(call.outputShape()), in.mask());
    }

    private Tensor keywordConstant(LayerCall call, String key, Tensor like) {
        JsonValue v = call.kwargs().get(key);
        if (!(v instanceof JsonNumber number)) throw unsupported(call.layer(), "tf." + call.config().getString("function", "") + " with " + key + "=" + v.toJson());
        return ops.scalarLike(call.name() + "/" + key, like, number.doubleValue());
    }
}
