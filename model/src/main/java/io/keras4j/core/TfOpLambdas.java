package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What tf.keras's {@code TFOpLambda} and {@code SlicingOpLambda} layers call, and the Keras 3 operation nodes that
 * record the same calls. The TensorFlow function is named in the config ({@code "function": "nn.relu"}); its call is the
 * node ({@code x} positional, {@code y}, {@code axis}, {@code slice_spec} as keywords). Keras 3 records the same call as
 * an operation class ({@code Relu}, {@code Sum}, {@code GetItem}) with the tensors and constants as {@code args} and the
 * settings in the config. The tables pair them as each Keras writes them (checked against {@code get_config()} of
 * models built in tf_keras 2.21 and Keras 3.15).
 */
public final class TfOpLambdas {
    private static final Map<String, String> ACTIVATIONS = Map.ofEntries(
            Map.entry("nn.relu", "relu"), Map.entry("nn.relu6", "relu6"), Map.entry("math.sigmoid", "sigmoid"),
            Map.entry("nn.sigmoid", "sigmoid"), Map.entry("math.tanh", "tanh"), Map.entry("nn.tanh", "tanh"),
            Map.entry("math.exp", "exponential"), Map.entry("nn.softmax", "softmax"), Map.entry("math.softmax", "softmax"),
            Map.entry("nn.silu", "silu"), Map.entry("nn.swish", "silu"), Map.entry("nn.gelu", "gelu"),
            Map.entry("nn.elu", "elu"), Map.entry("nn.selu", "selu"), Map.entry("math.softplus", "softplus"),
            Map.entry("nn.softplus", "softplus"), Map.entry("nn.log_softmax", "log_softmax"));

    /** tf.keras op layer classes. */
    public static final Set<String> OP_LAYERS = Set.of("TFOpLambda", "SlicingOpLambda");

    /** Binary functions ({@code x} positional, {@code y} keyword) by TensorFlow name, to Keras 3's class. */
    private static final Map<String, String> BINARY = Map.ofEntries(
            Map.entry("__operators__.add", "Add"), Map.entry("math.add", "Add"), Map.entry("math.subtract", "Subtract"),
            Map.entry("math.multiply", "Multiply"), Map.entry("math.truediv", "TrueDivide"), Map.entry("math.divide", "Divide"),
            Map.entry("math.maximum", "Maximum"), Map.entry("math.minimum", "Minimum"), Map.entry("math.pow", "Power"),
            Map.entry("math.greater", "Greater"), Map.entry("math.greater_equal", "GreaterEqual"),
            Map.entry("math.less", "Less"), Map.entry("math.less_equal", "LessEqual"), Map.entry("math.equal", "Equal"),
            Map.entry("math.not_equal", "NotEqual"), Map.entry("compat.v1.floor_div", "FloorDivide"),
            Map.entry("math.floordiv", "FloorDivide"), Map.entry("math.floormod", "Mod"),
            Map.entry("math.logical_and", "LogicalAnd"), Map.entry("math.logical_or", "LogicalOr"));
    /** Functions of one tensor with no settings Keras 3 would record. */
    private static final Map<String, String> UNARY = Map.ofEntries(
            Map.entry("math.log", "Log"), Map.entry("math.sqrt", "Sqrt"), Map.entry("math.rsqrt", "Rsqrt"),
            Map.entry("math.square", "Square"), Map.entry("math.negative", "Negative"), Map.entry("math.abs", "Absolute"),
            Map.entry("math.exp", "Exp"), Map.entry("math.tanh", "Tanh"), Map.entry("nn.tanh", "Tanh"),
            Map.entry("nn.relu", "Relu"), Map.entry("nn.relu6", "Relu6"), Map.entry("math.sigmoid", "Sigmoid"),
            Map.entry("nn.sigmoid", "Sigmoid"), Map.entry("nn.silu", "Silu"), Map.entry("nn.swish", "Silu"),
            Map.entry("nn.selu", "Selu"), Map.entry("math.softplus", "Softplus"), Map.entry("nn.softplus", "Softplus"),
            Map.entry("nn.elu", "Elu"), Map.entry("nn.gelu", "Gelu"), Map.entry("nn.softmax", "Softmax"),
            Map.entry("math.softmax", "Softmax"), Map.entry("nn.log_softmax", "LogSoftmax"), Map.entry("identity", "Copy"),
            Map.entry("math.floor", "Floor"), Map.entry("math.ceil", "Ceil"), Map.entry("math.sign", "Sign"),
            Map.entry("math.round", "Round"), Map.entry("math.sin", "Sin"), Map.entry("math.cos", "Cos"),
            Map.entry("math.log1p", "Log1p"), Map.entry("math.expm1", "Expm1"), Map.entry("math.reciprocal", "Reciprocal"),
            Map.entry("nn.softsign", "Softsign"), Map.entry("math.erf", "Erf"), Map.entry("math.logical_not", "LogicalNot"));
    private static final Map<String, String> REDUCTIONS = Map.of("math.reduce_sum", "Sum", "math.reduce_mean", "Mean",
            "math.reduce_max", "Max", "math.reduce_min", "Min");
    /** Data-moving functions of tensors whose settings Keras 3 keeps in the config: TensorFlow keyword to config key. */
    private static final Map<String, String> ARRAY = Map.ofEntries(
            Map.entry("concat", "Concatenate"), Map.entry("stack", "Stack"), Map.entry("expand_dims", "ExpandDims"),
            Map.entry("squeeze", "Squeeze"), Map.entry("compat.v1.squeeze", "Squeeze"), Map.entry("reshape", "Reshape"),
            Map.entry("transpose", "Transpose"), Map.entry("compat.v1.transpose", "Transpose"),
            Map.entry("clip_by_value", "Clip"), Map.entry("cast", "Cast"));
    private static final Map<String, Map<String, String>> ARRAY_SETTINGS = Map.of(
            "Concatenate", Map.of("axis", "axis"), "Stack", Map.of("axis", "axis"), "ExpandDims", Map.of("axis", "axis"),
            "Squeeze", Map.of("axis", "axis"), "Reshape", Map.of("shape", "newshape"), "Transpose", Map.of("perm", "axes"),
            "Clip", Map.of("clip_value_min", "x_min", "clip_value_max", "x_max"), "Cast", Map.of("dtype", "dtype"));
    /** Keyword arguments TensorFlow takes that do not change a float result (a conjugate of a real tensor is itself). */
    private static final Set<String> NEUTRAL = Set.of("name", "conjugate");
    private static final Map<String, Object> NEUTRAL_VALUES = Map.of("transpose_a", false, "transpose_b", false,
            "adjoint_a", false, "adjoint_b", false, "a_is_sparse", false, "b_is_sparse", false, "beta", 1.0, "squeeze_dims", JsonNull.INSTANCE);

    private TfOpLambdas() {}

    /** The Keras activation a TensorFlow function ({@code nn.relu}) computes, if it is one. */
    public static Optional<String> activation(String function) { return Optional.ofNullable(ACTIVATIONS.get(function)); }

    // ---- tf.keras to Keras 3 -------------------------------------------------------------------------------------

    /**
     * The Keras 3 operation node Keras 3 records for the call a tf.keras op layer recorded, under the layer's name so
     * references stay; refused with the node and function named when Keras 3 has no operation of that meaning.
     */
    static Layer toKeras3(Layer l) {
        String function = l.config().getString("function", "?");
        if (l.inboundNodes().size() != 1) {
            throw refuse(l, function, "it is called " + l.inboundNodes().size() + " times, and each Keras 3 operation node is one call");
        }
        LegacyCall call = LegacyCall.of(l.inboundNodes().get(0));
        if (l.className().equals("SlicingOpLambda")) {
            if (!function.equals("__operators__.getitem")) throw refuse(l, function, "Keras 3 has no such operation");
            call.only(l, function, Set.of("slice_spec"));
            return operation(l.name(), "GetItem", JsonObject.EMPTY, JsonArray.of(call.first(l, function), slices3(l, call.kwargs.get("slice_spec"))));
        }
        if (BINARY.containsKey(function)) {
            call.only(l, function, Set.of("y"));
            JsonValue y = call.positional.size() > 1 ? call.positional.get(1) : call.kwargs.get("y");
            if (!call.kwargs.has("y") && call.positional.size() < 2) throw refuse(l, function, "the call records no second operand");
            return operation(l.name(), BINARY.get(function), JsonObject.EMPTY, JsonArray.of(call.first(l, function), y));
        }
        if (UNARY.containsKey(function)) {
            String cls = UNARY.get(function);
            JsonObject.Builder cfg = JsonObject.builder();
            switch (cls) {
                case "Softmax", "LogSoftmax" -> {
                    call.only(l, function, Set.of("axis"));
                    // TensorFlow's axis=None is the last axis; Keras 3's would be all of them.
                    cfg.put("axis", call.kwargs.get("axis").isNull() ? JsonValue.of(-1) : call.kwargs.get("axis"));
                }
                case "Gelu" -> {
                    call.only(l, function, Set.of("approximate"));
                    cfg.put("approximate", call.kwargs.getBoolean("approximate", false));
                }
                case "Elu" -> {
                    call.only(l, function, Set.of());
                    cfg.put("alpha", 1.0);
                }
                case "Round" -> {
                    call.only(l, function, Set.of());
                    cfg.put("decimals", 0);
                }
                default -> call.only(l, function, Set.of());
            }
            return operation(l.name(), cls, cfg.build(), JsonArray.of(call.first(l, function)));
        }
        if (REDUCTIONS.containsKey(function)) {
            call.only(l, function, Set.of("axis", "keepdims"));
            String cls = REDUCTIONS.get(function);
            JsonObject.Builder cfg = JsonObject.builder().put("axis", call.kwargs.get("axis"))
                    .put("keepdims", call.kwargs.getBoolean("keepdims", false));
            if (cls.equals("Max") || cls.equals("Min")) cfg.put("initial", JsonNull.INSTANCE);
            return operation(l.name(), cls, cfg.build(), JsonArray.of(call.first(l, function)));
        }
        if (ARRAY.containsKey(function)) {
            String cls = ARRAY.get(function);
            Map<String, String> settings = ARRAY_SETTINGS.get(cls);
            call.only(l, function, settings.keySet());
            JsonObject.Builder cfg = JsonObject.builder();
            for (var e : settings.entrySet()) {
                JsonValue v = call.kwargs.get(e.getKey());
                if (!isConstant(v)) throw refuse(l, function, "its " + e.getKey() + " is a tensor, which Keras 3 records in no config");
                if (v.isNull() && List.of("Concatenate", "ExpandDims", "Reshape", "Clip", "Cast").contains(cls)) {
                    throw refuse(l, function, "the call records no " + e.getKey());
                }
                cfg.put(e.getValue(), v.isNull() && cls.equals("Stack") ? JsonValue.of(0) : v);
            }
            boolean list = cls.equals("Concatenate") || cls.equals("Stack");
            JsonValue args = list ? JsonArray.of(new JsonArray(call.positional)) : JsonArray.of(call.first(l, function));
            return operation(l.name(), cls, cfg.build(), args.asArray());
        }
        if (function.equals("linalg.matmul") || function.equals("matmul")) {
            call.only(l, function, Set.of("b"));
            return operation(l.name(), "Matmul", JsonObject.EMPTY, JsonArray.of(call.first(l, function), call.kwargs.get("b")));
        }
        if (function.equals("where")) {
            call.only(l, function, Set.of("x", "y"));
            if (!call.kwargs.has("x") || !call.kwargs.has("y")) throw refuse(l, function, "without x and y it gives indices, which Keras 3 records as no operation");
            return operation(l.name(), "Where", JsonObject.EMPTY, JsonArray.of(call.first(l, function), call.kwargs.get("x"), call.kwargs.get("y")));
        }
        throw refuse(l, function, "keras4j knows no Keras 3 operation that computes it");
    }

    private static UnsupportedModelException refuse(Layer l, String function, String why) {
        return new UnsupportedModelException(l.className() + " node '" + l.name() + "' (tf." + function
                + ") cannot be written for Keras 3: " + why);
    }

    private static Layer operation(String name, String className, JsonObject settings, JsonArray args) {
        JsonObject cfg = JsonObject.builder().put("name", name).build();
        for (var e : settings.members().entrySet()) cfg = cfg.with(e.getKey(), e.getValue());
        String module = LayerArgs.KERAS3.operationModule(className).orElseThrow(
                () -> new IllegalStateException("Keras 3's operation table has no " + className));
        JsonObject raw = JsonObject.builder().put("args", args).put("kwargs", JsonObject.EMPTY).build();
        List<TensorRef> refs = new ArrayList<>();
        KerasTensors.collect(args, refs);
        return Layer.builder(name, className).config(cfg)
                .entry(JsonObject.builder().put("module", module).put("registered_name", className).build())
                .addInboundNode(new InboundNode(refs, JsonObject.EMPTY, raw)).build();
    }

    /** tf.keras's slice_spec ({@code {start, stop, step}} or an index per axis) as Keras 3's GetItem key. */
    private static JsonValue slices3(Layer l, JsonValue spec) { return eachSlice(spec, s -> slice3(l, s)); }

    /** A slice key (one slice or index, or a list of them, one per axis) with each converted by {@code one}. */
    private static JsonValue eachSlice(JsonValue key, java.util.function.UnaryOperator<JsonValue> one) {
        if (!key.isArray()) return one.apply(key);
        JsonArray.Builder b = JsonArray.builder();
        for (JsonValue s : key.asArray()) b.add(one.apply(s));
        return b.build();
    }

    private static JsonValue slice3(Layer l, JsonValue s) {
        if (s instanceof JsonNumber) return s;
        if (s.isObject() && s.asObject().keys().equals(Set.of("start", "stop", "step"))
                && s.asObject().members().values().stream().allMatch(v -> v.isNull() || v instanceof JsonNumber)) {
            return JsonObject.builder().put("class_name", "__slice__").put("config", s).build();
        }
        throw refuse(l, "__operators__.getitem", "slice_spec entry " + s.toJson() + " is neither a slice of constants nor an index");
    }

    /** A tf.keras op call: positional arguments (Keras 3 tensors or constants) and keywords (tensors as Keras 3's). */
    private record LegacyCall(List<JsonValue> positional, JsonObject kwargs) {
        static LegacyCall of(InboundNode n) {
            List<JsonValue> positional = new ArrayList<>();
            JsonObject legacyKwargs = n.kwargs();
            JsonValue raw = n.rawNode().orElse(null);
            if (raw != null && raw.isArray() && !raw.asArray().isEmpty()) {
                List<JsonValue> entries = raw.asArray().get(0).isString() ? List.of(raw) : raw.asArray().values();
                for (JsonValue e : entries) {
                    JsonArray a = e.asArray();
                    positional.add(a.get(0).asText().equals("_CONSTANT_VALUE") ? a.get(2) : ModelWriter.kerasTensor(KerasTensors.legacyRef(
                            JsonArray.of(a.get(0), a.get(1), a.get(2)))));
                    if (a.size() > 3 && a.get(3).isObject()) legacyKwargs = a.get(3).asObject();
                }
            } else {
                // A node rebuilt without its source spelling lists the keyword tensors among its inputs too.
                List<TensorRef> keyword = new ArrayList<>();
                for (JsonValue v : legacyKwargs.members().values()) if (KerasTensors.legacyRef(v) != null) keyword.add(KerasTensors.legacyRef(v));
                for (TensorRef r : n.inputs()) if (!keyword.remove(r)) positional.add(ModelWriter.kerasTensor(r));
            }
            JsonObject.Builder kwargs = JsonObject.builder();
            for (var e : legacyKwargs.members().entrySet()) {
                TensorRef r = KerasTensors.legacyRef(e.getValue());
                kwargs.put(e.getKey(), r != null ? ModelWriter.kerasTensor(r) : e.getValue());
            }
            return new LegacyCall(positional, kwargs.build());
        }

        JsonValue first(Layer l, String function) {
            if (positional.isEmpty()) throw refuse(l, function, "the call records no positional argument");
            return positional.get(0);
        }

        /** Refuses keywords beyond {@code known} that would change the result. */
        void only(Layer l, String function, Set<String> known) {
            for (var e : kwargs.members().entrySet()) {
                String k = e.getKey();
                if (known.contains(k) || NEUTRAL.contains(k)) continue;
                Object neutral = NEUTRAL_VALUES.get(k);
                if (neutral != null && JsonValue.of(neutral).equals(e.getValue())) continue;
                throw refuse(l, function, "its argument " + k + "=" + e.getValue().toJson() + " has no Keras 3 form");
            }
        }
    }

    private static boolean isConstant(JsonValue v) {
        List<TensorRef> refs = new ArrayList<>();
        KerasTensors.collect(v, refs);
        return refs.isEmpty();
    }

    // ---- Keras 3 to tf.keras -------------------------------------------------------------------------------------

    /** Keras 3 class to the TensorFlow function tf.keras records for the same call (its spelling of {@code x + y}). */
    private static final Map<String, String> FUNCTION_OF = functionsOf();

    private static Map<String, String> functionsOf() {
        Map<String, String> m = new HashMap<>();
        for (Map<String, String> table : List.of(BINARY, UNARY, REDUCTIONS, ARRAY)) {
            for (var e : table.entrySet()) m.merge(e.getValue(), e.getKey(), (a, b) -> preferred(a, b));
        }
        m.put("Abs", "math.abs");
        m.put("Matmul", "linalg.matmul");
        m.put("Where", "where");
        return m;
    }

    /** What tf.keras records when a model calls the operator or function: x + y is __operators__.add, tf.squeeze compat.v1. */
    private static String preferred(String a, String b) {
        for (String p : List.of("__operators__.add", "compat.v1.floor_div", "compat.v1.squeeze", "compat.v1.transpose", "nn.relu", "nn.relu6",
                "math.sigmoid", "math.tanh", "nn.silu", "nn.softmax", "math.softplus", "nn.log_softmax")) {
            if (a.equals(p) || b.equals(p)) return p;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * The tf.keras op layer ({@code TFOpLambda}, or {@code SlicingOpLambda} for GetItem) that records the call a
     * Keras 3 operation node recorded, in tf.keras's node format; refused with the node named when tf.keras has no
     * TensorFlow function of that meaning.
     */
    static Layer toKeras2(Layer op) {
        String cls = op.className();
        String function = FUNCTION_OF.get(cls);
        if (function == null && !cls.equals("GetItem")) {
            throw refuse2(op, "keras4j knows no TensorFlow function tf.keras would record for it");
        }
        if (op.inboundNodes().size() != 1) throw refuse2(op, "it is called " + op.inboundNodes().size() + " times");
        JsonValue raw = op.inboundNodes().get(0).rawNode().orElse(null);
        if (raw == null || !raw.isObject() || !raw.asObject().get("args").isArray()) throw refuse2(op, "its call records no arguments");
        List<JsonValue> args = raw.asObject().getArray("args").values();
        JsonObject callKwargs = raw.asObject().getObject("kwargs");
        if (!callKwargs.without("mask").members().isEmpty()) throw refuse2(op, "its call passes keywords " + callKwargs.toJson());
        JsonObject c = op.config();
        JsonObject.Builder kw = JsonObject.builder();
        List<JsonValue> positional;
        if (cls.equals("GetItem")) {
            function = "__operators__.getitem";
            positional = List.of(args.get(0));
            kw.put("slice_spec", slices2(op, args.get(1)));
        } else if (BINARY.containsValue(cls)) {
            positional = List.of(args.get(0));
            kw.put("y", legacy(op, args.get(1))).put("name", JsonNull.INSTANCE);
        } else if (cls.equals("Matmul")) {
            positional = List.of(args.get(0));
            kw.put("b", legacy(op, args.get(1)));
        } else if (cls.equals("Where")) {
            positional = List.of(args.get(0));
            kw.put("x", legacy(op, args.get(1))).put("y", legacy(op, args.get(2)));
        } else if (REDUCTIONS.containsValue(cls)) {
            if (!c.get("initial").isNull()) throw refuse2(op, "its initial value " + c.get("initial").toJson() + " has no tf.keras form");
            positional = List.of(args.get(0));
            kw.put("axis", c.get("axis")).put("keepdims", c.getBoolean("keepdims", false));
        } else if (ARRAY.containsValue(cls)) {
            boolean list = cls.equals("Concatenate") || cls.equals("Stack");
            positional = list ? args.get(0).asArray().values() : List.of(args.get(0));
            for (var e : ARRAY_SETTINGS.get(cls).entrySet()) kw.put(e.getKey(), c.get(e.getValue()));
            if (cls.equals("Transpose")) kw.put("name", "transpose").put("conjugate", false);
            if (cls.equals("Squeeze")) kw.put("name", JsonNull.INSTANCE);
        } else {
            positional = List.of(args.get(0));
            switch (cls) {
                case "Softmax", "LogSoftmax" -> kw.put("axis", c.get("axis").isNull() ? JsonValue.of(-1) : c.get("axis"));
                case "Gelu" -> kw.put("approximate", c.getBoolean("approximate", true));
                case "Elu" -> {
                    if (c.getDouble("alpha", 1.0) != 1.0) throw refuse2(op, "tf.nn.elu has no alpha (" + c.get("alpha").toJson() + ")");
                }
                case "Round" -> {
                    if (c.getInt("decimals", 0) != 0) throw refuse2(op, "tf.math.round has no decimals (" + c.get("decimals").toJson() + ")");
                }
                default -> { }
            }
        }
        if (args.size() > (cls.equals("Where") ? 3 : BINARY.containsValue(cls) || cls.equals("GetItem") || cls.equals("Matmul") ? 2 : 1)) {
            throw refuse2(op, "its call passes " + args.size() + " arguments");
        }
        JsonObject kwargs = kw.build();
        JsonArray.Builder node = JsonArray.builder();
        List<TensorRef> inputs = new ArrayList<>();
        for (JsonValue p : positional) {
            TensorRef r = KerasTensors.ref(p);
            if (r == null) legacy(op, p);
            JsonArray entry = r != null
                    ? JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor()).add(kwargs).build()
                    : JsonArray.builder().add("_CONSTANT_VALUE").add(-1).add(p).add(kwargs).build();
            if (r != null) inputs.add(r);
            node.add(entry);
        }
        JsonArray built = node.build();
        // tf.keras writes a call on one positional argument as that argument alone, on a list (concat) as the list.
        JsonValue rawNode = cls.equals("Concatenate") || cls.equals("Stack") ? built : built.get(0);
        JsonObject cfg = JsonObject.builder().put("name", op.name()).put("trainable", true).put("dtype", "float32")
                .put("function", function).build();
        return Layer.builder(op.name(), cls.equals("GetItem") ? "SlicingOpLambda" : "TFOpLambda").config(cfg)
                .addInboundNode(new InboundNode(inputs, kwargs, rawNode)).build();
    }

    private static UnsupportedModelException refuse2(Layer op, String why) {
        return new UnsupportedModelException("node '" + op.name() + "' is a Keras 3 operation (" + op.className()
                + ") that cannot be written for tf.keras: " + why);
    }

    /** A Keras 3 argument in tf.keras's keyword form: tensors as {@code [layer, node, tensor]}, numbers as they are. */
    private static JsonValue legacy(Layer op, JsonValue v) {
        TensorRef r = KerasTensors.ref(v);
        if (r != null) return KerasTensors.refArray(r);
        if (v instanceof JsonNumber) return v;
        throw refuse2(op, "its argument " + v.toJson() + " is neither a tensor nor a number");
    }

    private static JsonValue slices2(Layer op, JsonValue key) { return eachSlice(key, s -> slice2(op, s)); }

    private static JsonValue slice2(Layer op, JsonValue s) {
        if (s instanceof JsonNumber) return s;
        if (s.isObject() && "__slice__".equals(s.asObject().getString("class_name", null))) return s.asObject().getObject("config");
        throw refuse2(op, "its key " + s.toJson() + " is neither a slice of constants nor an index");
    }
}
