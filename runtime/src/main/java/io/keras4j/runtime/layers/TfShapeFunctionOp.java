package io.keras4j.runtime.layers;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The TensorFlow functions a tf.keras functional model calls on tensors to move data around, recorded as
 * {@code TFOpLambda} layers: {@code tf.concat}, {@code tf.stack}, {@code tf.expand_dims}, {@code tf.squeeze},
 * {@code tf.reshape}, {@code tf.transpose}, {@code tf.clip_by_value}, {@code tf.cast} and {@code tf.identity}, with
 * their arguments from the call ({@code axis}, {@code shape}, {@code perm}, ...). The arithmetic ones are
 * {@link TfOpLambdaOp}'s.
 */
final class TfShapeFunctionOp implements LayerOp {
    static final Set<String> FUNCTIONS = Set.of("concat", "stack", "expand_dims", "squeeze", "compat.v1.squeeze", "reshape",
            "transpose", "compat.v1.transpose", "clip_by_value", "cast", "identity");
    private static final Set<String> INTEGER_CASTS = Set.of("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64");
    private static final Set<String> FLOAT_CASTS = Set.of("float16", "bfloat16", "float32", "float64");

    private final LayerSpec spec;
    private final String function;
    private final JsonObject kwargs;

    TfShapeFunctionOp(LayerSpec spec) { this(spec, JsonObject.EMPTY); }

    private TfShapeFunctionOp(LayerSpec spec, JsonObject kwargs) {
        this(spec, Configs.string(spec, "function", ""), kwargs);
    }

    /** The function called with these arguments, whatever the spec's config names (a Keras 3 operation node's). */
    TfShapeFunctionOp(LayerSpec spec, String function, JsonObject kwargs) {
        this.spec = spec;
        this.function = function.replace("compat.v1.", "");
        this.kwargs = kwargs;
    }

    static boolean handles(LayerSpec spec) { return FUNCTIONS.contains(Configs.string(spec, "function", "")); }

    @Override
    public LayerOp forCall(InboundNode node) { return new TfShapeFunctionOp(spec, function, node.kwargs()); }

    private JsonValue arg(String key) {
        JsonValue v = kwargs.get(key);
        if (v.isNull()) throw Configs.unsupported(spec, "tf." + function + " without " + key);
        return v;
    }

    private int intArg(String key) {
        if (!(arg(key) instanceof JsonNumber n)) throw Configs.unsupported(spec, "tf." + function + " with " + key + "=" + arg(key).toJson());
        return n.intValue();
    }

    private long[] longsArg(String key) {
        JsonValue v = arg(key);
        if (!v.isArray()) throw Configs.unsupported(spec, "tf." + function + " with " + key + "=" + v.toJson());
        return v.asArray().toLongs();
    }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] x = in.get(0);
        switch (function) {
            case "concat": {
                int axis = Shapes.axis(intArg("axis"), x.length);
                long[] out = x.clone();
                for (int i = 1; i < in.size(); i++) out[axis] = out[axis] < 0 || in.get(i)[axis] < 0 ? -1 : out[axis] + in.get(i)[axis];
                return List.of(out);
            }
            case "stack":
                return List.of(insert(x, Shapes.axis(intArg("axis"), x.length + 1), in.size()));
            case "expand_dims":
                return List.of(insert(x, Shapes.axis(intArg("axis"), x.length + 1), 1));
            case "squeeze":
                return List.of(squeezed(x));
            case "reshape":
                return List.of(reshaped(x));
            case "transpose": {
                long[] perm = permutation(x.length);
                long[] out = new long[x.length];
                for (int i = 0; i < out.length; i++) out[i] = x[(int) perm[i]];
                return List.of(out);
            }
            default: // clip_by_value, cast, identity
                return List.of(x);
        }
    }

    private static long[] insert(long[] x, int axis, long size) {
        long[] out = new long[x.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? size : x[j++];
        return out;
    }

    private long[] squeezed(long[] x) {
        JsonValue a = kwargs.get("axis");
        List<Integer> axes = new ArrayList<>();
        if (a.isNull()) {
            for (int i = 0; i < x.length; i++) {
                if (x[i] < 0) throw Configs.unsupported(spec, "tf.squeeze without axis over an axis of unknown size");
                if (x[i] == 1) axes.add(i);
            }
        } else {
            for (long v : a.isArray() ? a.asArray().toLongs() : new long[] {intArg("axis")}) axes.add(Shapes.axis((int) v, x.length));
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!axes.contains(i)) out.add(x[i]);
            else if (x[i] > 1) throw Configs.bad(spec, "axis", "squeezes axis " + i + " of size " + x[i]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** {@code tf.reshape}: one -1 is inferred; a -1 first with the batch unknown stands for the batch. */
    private long[] reshaped(long[] x) {
        long[] target = longsArg("shape").clone();
        long known = 1;
        boolean unknownInput = false;
        for (long d : x) {
            if (d < 0) unknownInput = true;
            else known *= d;
        }
        int free = -1;
        long product = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (free >= 0) throw Configs.bad(spec, "shape", "has more than one -1");
                free = i;
            } else {
                product *= target[i];
            }
        }
        if (free >= 0) {
            if (unknownInput) target[free] = -1;
            else if (product == 0 || known % product != 0) throw Configs.bad(spec, "shape", Arrays.toString(target) + " does not fit " + known + " values");
            else target[free] = known / product;
        } else if (!unknownInput && product != known) {
            throw Configs.bad(spec, "shape", Arrays.toString(target) + " does not hold " + known + " values");
        }
        return target;
    }

    private long[] permutation(int rank) {
        JsonValue p = kwargs.get("perm");
        long[] perm = new long[rank];
        if (p.isNull()) {
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
            return perm;
        }
        perm = longsArg("perm");
        if (perm.length != rank) throw Configs.bad(spec, "perm", "has " + perm.length + " axes for a rank-" + rank + " tensor");
        return perm;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        NdArray x = inputs.get(0).array();
        long[] inShape = Arrays.stream(x.shape()).asLongStream().toArray();
        switch (function) {
            case "concat": {
                int axis = Shapes.axis(intArg("axis"), x.rank());
                return List.of(Value.of(concat(inputs, axis)));
            }
            case "stack": {
                int axis = Shapes.axis(intArg("axis"), x.rank() + 1);
                List<Value> expanded = new ArrayList<>();
                for (Value v : inputs) {
                    long[] s = Arrays.stream(v.array().shape()).asLongStream().toArray();
                    expanded.add(Value.of(NdArray.wrap(v.array().data(), ints(insert(s, axis, 1)))));
                }
                return List.of(Value.of(concat(expanded, axis)));
            }
            case "expand_dims": case "squeeze": case "reshape": {
                long[] out = outputShapes(List.of(inShape)).get(0);
                return List.of(Value.of(NdArray.wrap(x.data(), ints(out))));
            }
            case "transpose":
                return List.of(Value.of(transpose(x, permutation(x.rank()))));
            case "clip_by_value": {
                float lo = (float) ((JsonNumber) number("clip_value_min")).doubleValue();
                float hi = (float) ((JsonNumber) number("clip_value_max")).doubleValue();
                float[] out = x.data().clone();
                for (int i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, out[i]));
                return List.of(new Value(NdArray.wrap(out, x.shape()), inputs.get(0).mask()));
            }
            case "cast": {
                String dtype = arg("dtype").asText();
                if (FLOAT_CASTS.contains(dtype)) return List.of(inputs.get(0));
                float[] out = x.data().clone();
                if (INTEGER_CASTS.contains(dtype)) {
                    for (int i = 0; i < out.length; i++) out[i] = (float) (long) out[i]; // TensorFlow truncates toward zero
                } else if ("bool".equals(dtype)) {
                    for (int i = 0; i < out.length; i++) out[i] = out[i] != 0 ? 1f : 0f;
                } else {
                    throw Configs.unsupported(spec, "tf.cast to " + dtype);
                }
                return List.of(new Value(NdArray.wrap(out, x.shape()), inputs.get(0).mask()));
            }
            default:
                return List.of(inputs.get(0));
        }
    }

    private JsonValue number(String key) {
        JsonValue v = arg(key);
        if (!(v instanceof JsonNumber)) throw Configs.unsupported(spec, "tf." + function + " with a tensor " + key);
        return v;
    }

    private static int[] ints(long[] shape) { return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray(); }

    private static NdArray concat(List<Value> inputs, int axis) {
        int[] shape = inputs.get(0).array().shape();
        int outer = 1, inner = 1, total = 0;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        for (Value v : inputs) total += v.array().dim(axis);
        float[] out = new float[outer * total * inner];
        int at = 0;
        for (Value v : inputs) {
            int n = v.array().dim(axis) * inner;
            float[] src = v.array().data();
            for (int o = 0; o < outer; o++) System.arraycopy(src, o * n, out, o * total * inner + at, n);
            at += n;
        }
        int[] outShape = shape.clone();
        outShape[axis] = total;
        return NdArray.wrap(out, outShape);
    }

    private static NdArray transpose(NdArray x, long[] perm) {
        int[] shape = x.shape();
        int rank = shape.length;
        int[] outShape = new int[rank];
        int[] srcStride = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--) {
            srcStride[a] = s;
            s *= shape[a];
        }
        for (int i = 0; i < rank; i++) outShape[i] = shape[(int) perm[i]];
        float[] src = x.data(), out = new float[src.length];
        int[] counter = new int[rank];
        for (int o = 0; o < out.length; o++) {
            int offset = 0;
            for (int i = 0; i < rank; i++) offset += counter[i] * srcStride[(int) perm[i]];
            out[o] = src[offset];
            for (int i = rank - 1; i >= 0 && ++counter[i] == outShape[i]; i--) counter[i] = 0;
        }
        return NdArray.wrap(out, outShape);
    }
}
