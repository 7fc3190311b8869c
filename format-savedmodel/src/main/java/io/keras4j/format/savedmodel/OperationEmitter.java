package io.keras4j.format.savedmodel;

import static io.keras4j.format.savedmodel.LayerEmitter.unsupported;

import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.format.savedmodel.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keras 3 operation nodes ({@code keras.src.ops.numpy}) that functional graphs record for tensor expressions:
 * comparisons and logical ops (the masks Keras computes, e.g. {@code NotEqual(tokens, 0)} for
 * {@code Embedding(mask_zero=True)}), {@code any}/{@code all} reductions, elementwise arithmetic and a few unary
 * functions. Constant arguments take the dtype of the tensor they meet.
 */
final class OperationEmitter {
    private static final Map<String, String> COMPARISONS = Map.of("Equal", "Equal", "NotEqual", "NotEqual",
            "Greater", "Greater", "GreaterEqual", "GreaterEqual", "Less", "Less", "LessEqual", "LessEqual");
    private static final Map<String, String> ARITHMETIC = Map.of("Add", "AddV2", "Subtract", "Sub", "Multiply", "Mul",
            "Divide", "RealDiv", "TrueDivide", "RealDiv", "Maximum", "Maximum", "Minimum", "Minimum");
    private static final Map<String, String> UNARY = Map.of("Negative", "Neg", "Absolute", "Abs", "Abs", "Abs",
            "Sqrt", "Sqrt", "Square", "Square", "Exp", "Exp", "Log", "Log", "Tanh", "Tanh");

    private final TfOps ops;

    OperationEmitter(TfOps ops) { this.ops = ops; }

    Tensor emit(LayerCall call) {
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
}
