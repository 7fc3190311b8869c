package io.keras4j.runtime.layers;

import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * A Keras 3 operation node ({@code keras.src.ops.numpy}) that computes values: functional graphs record these for
 * tensor expressions, elementwise arithmetic and comparisons (tensors or constants on either side; booleans as 1/0)
 * and the {@code any}/{@code all} reductions Keras emits when it computes masks. Nodes that only reshape, fill or
 * join are {@link OpsArrayNodes}.
 */
final class OpsMathNode implements LayerOp {
    private static final Map<String, Broadcast.FloatOp> BINARY = new HashMap<>();
    private static final Map<String, DoubleUnaryOperator> UNARY = new HashMap<>();

    static {
        BINARY.put("Add", Float::sum);
        BINARY.put("Subtract", (a, b) -> a - b);
        BINARY.put("Multiply", (a, b) -> a * b);
        BINARY.put("Divide", (a, b) -> a / b);
        BINARY.put("TrueDivide", (a, b) -> a / b);
        BINARY.put("Maximum", Math::max);
        BINARY.put("Minimum", Math::min);
        BINARY.put("Power", (a, b) -> (float) Math.pow(a, b));
        BINARY.put("Equal", (a, b) -> a == b ? 1f : 0f);
        BINARY.put("NotEqual", (a, b) -> a != b ? 1f : 0f);
        BINARY.put("Greater", (a, b) -> a > b ? 1f : 0f);
        BINARY.put("GreaterEqual", (a, b) -> a >= b ? 1f : 0f);
        BINARY.put("Less", (a, b) -> a < b ? 1f : 0f);
        BINARY.put("LessEqual", (a, b) -> a <= b ? 1f : 0f);
        BINARY.put("LogicalAnd", (a, b) -> a != 0 && b != 0 ? 1f : 0f);
        BINARY.put("LogicalOr", (a, b) -> a != 0 || b != 0 ? 1f : 0f);
        BINARY.put("FloorDivide", (a, b) -> (float) Math.floor(a / b));
        BINARY.put("Mod", OpsMathNode::floorMod);
        UNARY.put("Negative", x -> -x);
        UNARY.put("Absolute", Math::abs);
        UNARY.put("Abs", Math::abs);
        UNARY.put("Sqrt", Math::sqrt);
        UNARY.put("Square", x -> x * x);
        UNARY.put("Exp", Math::exp);
        UNARY.put("Log", Math::log);
        UNARY.put("Tanh", Math::tanh);
        UNARY.put("LogicalNot", x -> x == 0 ? 1 : 0);
        UNARY.put("Copy", x -> x);
        UNARY.put("Floor", Math::floor);
        UNARY.put("Ceil", Math::ceil);
        UNARY.put("Sign", Math::signum);
        UNARY.put("Round", Math::rint); // half to even, as TensorFlow rounds
        UNARY.put("Sin", Math::sin);
        UNARY.put("Cos", Math::cos);
        UNARY.put("Log1p", Math::log1p);
        UNARY.put("Expm1", Math::expm1);
        UNARY.put("Reciprocal", x -> 1 / x);
        UNARY.put("Softsign", x -> x / (1 + Math.abs(x)));
        UNARY.put("Erf", Erf::erf);
    }

    private enum Kind { BINARY, UNARY, ANY, ALL }

    private final LayerSpec spec;
    private final Kind kind;
    private final Broadcast.FloatOp binary;
    private final DoubleUnaryOperator unary;
    /** Per positional argument: a constant, or {@code null} for the next tensor input. Set by {@link #forCall}. */
    private final List<Float> constants;

    private OpsMathNode(LayerSpec spec, Kind kind, Broadcast.FloatOp binary, DoubleUnaryOperator unary, List<Float> constants) {
        this.spec = spec;
        this.kind = kind;
        this.binary = binary;
        this.unary = unary;
        this.constants = constants;
    }

    /** The factory for an operation class, or {@code null} when unsupported. */
    static Function<LayerSpec, LayerOp> factory(String className) {
        if (BINARY.containsKey(className)) return s -> new OpsMathNode(s, Kind.BINARY, BINARY.get(className), null, null);
        if (className.equals("Round")) {
            return s -> {
                if (Configs.integer(s, "decimals", 0) != 0) throw Configs.unsupported(s, "rounding to " + Configs.integer(s, "decimals", 0) + " decimals");
                return new OpsMathNode(s, Kind.UNARY, null, UNARY.get(className), null);
            };
        }
        if (UNARY.containsKey(className)) return s -> new OpsMathNode(s, Kind.UNARY, null, UNARY.get(className), null);
        if (className.equals("Any")) return s -> new OpsMathNode(s, Kind.ANY, null, null, null);
        if (className.equals("All")) return s -> new OpsMathNode(s, Kind.ALL, null, null, null);
        return null;
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        List<Float> args = new ArrayList<>();
        JsonValue raw = node.rawNode().orElse(null);
        if (raw != null && raw.isObject()) {
            for (JsonValue a : raw.asObject().get("args").asArray()) {
                if (a instanceof JsonNumber n) args.add((float) n.doubleValue());
                else if (a.isObject()) args.add(null);
                else throw Configs.unsupported(spec, "argument " + a.toJson());
            }
        }
        return new OpsMathNode(spec, kind, binary, unary, args);
    }

    private boolean keepDims() { return Configs.flag(spec, "keepdims", false); }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        switch (kind) {
            case BINARY:
                if (in.size() == 2) {
                    int[] a = java.util.Arrays.stream(in.get(0)).mapToInt(d -> (int) d).toArray();
                    int[] b = java.util.Arrays.stream(in.get(1)).mapToInt(d -> (int) d).toArray();
                    long[] out = new long[Math.max(a.length, b.length)];
                    for (int i = 1; i <= out.length; i++) {
                        long da = i <= a.length ? a[a.length - i] : 1, db = i <= b.length ? b[b.length - i] : 1;
                        out[out.length - i] = da == 1 ? db : db == 1 ? da : Math.max(da, db);
                    }
                    return List.of(out);
                }
                return List.of(in.get(0));
            case UNARY:
                return List.of(in.get(0));
            default: {
                long[] s = in.get(0);
                return List.of(Shapes.reduced(s, Shapes.axis(reductionAxis(), s.length), keepDims()));
            }
        }
    }

    private int reductionAxis() {
        int[] axes = Configs.axes(spec, "axis", Integer.MIN_VALUE);
        if (axes.length != 1 || axes[0] == Integer.MIN_VALUE) throw Configs.unsupported(spec, "a reduction over several or all axes");
        return axes[0];
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        switch (kind) {
            case BINARY: {
                NdArray a = argument(0, inputs), b = argument(1, inputs);
                return List.of(Value.of(Broadcast.apply(a, b, binary)));
            }
            case UNARY: {
                NdArray x = inputs.get(0).array();
                float[] y = new float[x.size()];
                for (int i = 0; i < y.length; i++) y[i] = (float) unary.applyAsDouble(x.data()[i]);
                return List.of(Value.of(NdArray.wrap(y, x.shape())));
            }
            default: {
                NdArray x = inputs.get(0).array();
                int axis = Shapes.axis(reductionAxis(), x.rank());
                int n = x.dim(axis), inner = x.stride(axis + 1), outer = x.size() / (n * inner);
                float[] y = new float[outer * inner];
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        boolean acc = kind == Kind.ALL;
                        for (int k = 0; k < n; k++) {
                            boolean v = x.data()[(o * n + k) * inner + i] != 0;
                            acc = kind == Kind.ALL ? acc && v : acc || v;
                        }
                        y[o * inner + i] = acc ? 1f : 0f;
                    }
                }
                long[] shape = outputShapes(List.of(java.util.Arrays.stream(x.shape()).asLongStream().toArray())).get(0);
                return List.of(Value.of(NdArray.wrap(y, java.util.Arrays.stream(shape).mapToInt(d -> (int) d).toArray())));
            }
        }
    }

    /** TensorFlow's floormod: the remainder takes the divisor's sign, as Python's % does. */
    private static float floorMod(float a, float b) {
        float r = a % b;
        return r != 0 && (b < 0) != (r < 0) ? r + b : r;
    }

        /** Positional argument {@code index}: a constant (as a scalar array) or the next tensor input. */
    private NdArray argument(int index, List<Value> inputs) {
        int tensor = 0;
        for (int i = 0; i < index; i++) if (constants.get(i) == null) tensor++;
        Float c = constants.get(index);
        return c != null ? NdArray.wrap(new float[] {c}) : inputs.get(tensor).array();
    }
}
