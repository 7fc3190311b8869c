package io.keras4j.runtime.layers;

import io.keras4j.json.JsonArray;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keras 3 operation nodes for the calls tf.keras records as op layers ({@code x[:, 1:]} as GetItem, {@code tf.reshape}
 * as Reshape, {@code tf.reduce_sum} as Sum, {@code tf.nn.relu} as Relu, ...), which keras4j also writes when it moves
 * a tf.keras model to Keras 3. Each runs through the kernel of the TensorFlow function tf.keras names for it
 * ({@link TfShapeFunctionOp}, {@link TfOpLambdaOp}, {@link SlicingOpLambdaOp}), its settings from the node's config;
 * Matmul and Where are here.
 */
final class OpsTfFunctionNodes {
    /** Keras 3 class to the TensorFlow function, for the nodes whose config holds every setting. */
    private static final Map<String, String> FUNCTIONS = Map.ofEntries(
            Map.entry("Reshape", "reshape"), Map.entry("Transpose", "transpose"), Map.entry("Squeeze", "squeeze"),
            Map.entry("Stack", "stack"), Map.entry("Clip", "clip_by_value"), Map.entry("Cast", "cast"),
            Map.entry("Sum", "math.reduce_sum"), Map.entry("Mean", "math.reduce_mean"), Map.entry("Max", "math.reduce_max"),
            Map.entry("Min", "math.reduce_min"), Map.entry("Relu", "nn.relu"), Map.entry("Relu6", "nn.relu6"),
            Map.entry("Sigmoid", "math.sigmoid"), Map.entry("Silu", "nn.silu"), Map.entry("Selu", "nn.selu"),
            Map.entry("Softplus", "math.softplus"), Map.entry("Elu", "nn.elu"), Map.entry("Gelu", "nn.gelu"),
            Map.entry("Softmax", "nn.softmax"), Map.entry("LogSoftmax", "nn.log_softmax"), Map.entry("Rsqrt", "math.rsqrt"));
    /** Config key to the TensorFlow keyword. */
    private static final Map<String, String> KEYWORDS = Map.of("newshape", "shape", "axes", "perm", "x_min", "clip_value_min",
            "x_max", "clip_value_max", "axis", "axis", "keepdims", "keepdims", "dtype", "dtype");

    private OpsTfFunctionNodes() {}

    /** The factory for an operation class, or {@code null} when it is not one of these. */
    static Function<LayerSpec, LayerOp> factory(String className) {
        if (className.equals("GetItem")) return GetItem::new;
        if (className.equals("Matmul")) return Matmul::new;
        if (className.equals("Where")) return Where::new;
        String function = FUNCTIONS.get(className);
        return function == null ? null : spec -> tfFunction(spec, function);
    }

    private static LayerOp tfFunction(LayerSpec spec, String function) {
        JsonObject c = spec.config();
        // Where Keras 3's operation has a setting the TensorFlow function's kernel here does not, it is refused.
        if (c.has("initial") && !c.get("initial").isNull()) throw Configs.unsupported(spec, "an initial value");
        if (function.equals("nn.elu") && c.getDouble("alpha", 1.0) != 1.0) throw Configs.unsupported(spec, "alpha " + c.get("alpha").toJson());
        if (function.equals("nn.gelu") && c.getBoolean("approximate", true)) throw Configs.unsupported(spec, "the tanh approximation of gelu");
        if ((function.equals("nn.softmax") || function.equals("nn.log_softmax")) && c.getInt("axis", -1) != -1) {
            throw Configs.unsupported(spec, "softmax over axis " + c.get("axis").toJson());
        }
        JsonObject.Builder kwargs = JsonObject.builder();
        for (var e : c.members().entrySet()) if (KEYWORDS.containsKey(e.getKey())) kwargs.put(KEYWORDS.get(e.getKey()), e.getValue());
        JsonObject kw = kwargs.build();
        LayerOp op = TfShapeFunctionOp.FUNCTIONS.contains(function) ? new TfShapeFunctionOp(spec, function, kw)
                : new TfOpLambdaOp(spec, function, kw);
        return new LayerOp() {
            @Override public List<long[]> outputShapes(List<long[]> in) { return op.outputShapes(in); }

            @Override public List<Value> call(List<Value> inputs, CallContext ctx) { return op.call(inputs, ctx); }
        };
    }

    /** {@code x[key]}: the key ({@code __slice__} objects and indices) is the node's second argument. */
    private static final class GetItem implements LayerOp {
        private final LayerSpec spec;
        private final SlicingOpLambdaOp slicing;

        GetItem(LayerSpec spec) { this(spec, null); }

        private GetItem(LayerSpec spec, SlicingOpLambdaOp slicing) {
            this.spec = spec;
            this.slicing = slicing;
        }

        @Override
        public LayerOp forCall(InboundNode node) {
            JsonValue raw = node.rawNode().orElse(null);
            if (raw == null || !raw.isObject() || raw.asObject().getArray("args").size() != 2) throw Configs.unsupported(spec, "a call without a key");
            JsonValue key = raw.asObject().getArray("args").get(1);
            JsonArray.Builder sliceSpec = JsonArray.builder();
            for (JsonValue k : key.isArray() ? key.asArray().values() : List.of(key)) {
                if (k instanceof JsonNumber) sliceSpec.add(k);
                else if (k.isObject() && "__slice__".equals(k.asObject().getString("class_name", null))) sliceSpec.add(k.asObject().getObject("config"));
                else throw Configs.unsupported(spec, "key " + k.toJson());
            }
            return new GetItem(spec, new SlicingOpLambdaOp(spec, sliceSpec.build()));
        }

        private SlicingOpLambdaOp slicing() {
            if (slicing == null) throw Configs.unsupported(spec, "a call without a key");
            return slicing;
        }

        @Override public List<long[]> outputShapes(List<long[]> in) { return slicing().outputShapes(in); }

        @Override public List<Value> call(List<Value> inputs, CallContext ctx) { return slicing().call(inputs, ctx); }
    }

    /** Per positional argument of a node: a constant, or {@code null} for the next tensor input. */
    private static List<Float> constants(LayerSpec spec, InboundNode node) {
        List<Float> args = new ArrayList<>();
        JsonValue raw = node.rawNode().orElse(null);
        if (raw == null || !raw.isObject()) return null;
        for (JsonValue a : raw.asObject().getArray("args")) {
            if (a instanceof JsonNumber n) args.add((float) n.doubleValue());
            else if (a.isObject()) args.add(null);
            else throw Configs.unsupported(spec, "argument " + a.toJson());
        }
        return args;
    }

    private static NdArray argument(List<Float> constants, int index, List<Value> inputs) {
        if (constants == null) return inputs.get(index).array();
        int tensor = 0;
        for (int i = 0; i < index; i++) if (constants.get(i) == null) tensor++;
        Float c = constants.get(index);
        return c != null ? NdArray.wrap(new float[] {c}) : inputs.get(tensor).array();
    }

    private static long[] broadcast(long[] a, long[] b) {
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 1; i <= out.length; i++) {
            long da = i <= a.length ? a[a.length - i] : 1, db = i <= b.length ? b[b.length - i] : 1;
            out[out.length - i] = da == 1 ? db : db == 1 ? da : Math.max(da, db);
        }
        return out;
    }

    /** {@code where(condition, x, y)}: nonzero picks x; the three broadcast together; x or y may be constants. */
    private static final class Where implements LayerOp {
        private final LayerSpec spec;
        private final List<Float> constants;

        Where(LayerSpec spec) { this(spec, null); }

        private Where(LayerSpec spec, List<Float> constants) {
            this.spec = spec;
            this.constants = constants;
        }

        @Override
        public LayerOp forCall(InboundNode node) {
            List<Float> args = constants(spec, node);
            if (args == null || args.size() != 3) throw Configs.unsupported(spec, "a call without condition, x and y");
            long tensors = args.stream().filter(java.util.Objects::isNull).count();
            // a damaged node whose arguments name more tensors than it passes (found by fuzzing) fails at compile
            if (tensors != node.inputs().size()) {
                throw Configs.unsupported(spec, "a call whose arguments name " + tensors + " tensors while the node passes "
                        + node.inputs().size());
            }
            return new Where(spec, args);
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            // Before its call is known every input is a tensor argument; constants broadcast as scalars. Without a
            // known call (a Sequential's step) all three must be tensors.
            if (constants == null && in.size() != 3) throw Configs.unsupported(spec, "a where of " + in.size() + " tensors");
            long[] out = new long[0];
            for (long[] shape : in) out = broadcast(out, shape);
            return List.of(out);
        }

        @Override
        public List<Value> call(List<Value> inputs, CallContext ctx) {
            NdArray c = argument(constants, 0, inputs), x = argument(constants, 1, inputs), y = argument(constants, 2, inputs);
            int[] shape = Broadcast.shape(Broadcast.shape(c.shape(), x.shape()), y.shape());
            NdArray zeros = NdArray.zeros(shape);
            float[] cf = Broadcast.apply(c, zeros, (a, b) -> a).data(), xf = Broadcast.apply(x, zeros, (a, b) -> a).data();
            float[] out = Broadcast.apply(y, zeros, (a, b) -> a).data().clone();
            for (int i = 0; i < out.length; i++) if (cf[i] != 0) out[i] = xf[i];
            return List.of(Value.of(NdArray.wrap(out, shape)));
        }
    }

    /** {@code matmul(a, b)} of rank-2 or more tensors: the last two axes multiply, the leading ones broadcast. */
    private static final class Matmul implements LayerOp {
        private final LayerSpec spec;

        Matmul(LayerSpec spec) { this.spec = spec; }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            if (in.size() != 2) throw Configs.unsupported(spec, "matmul of " + in.size() + " tensors (a constant operand)");
            long[] a = in.get(0), b = in.get(1);
            if (a.length < 2 || b.length < 2) throw Configs.unsupported(spec, "matmul of a vector");
            long k = a[a.length - 1], kb = b[b.length - 2];
            if (k >= 0 && kb >= 0 && k != kb) throw Configs.bad(spec, "inputs", "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not multiply");
            long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
            long[] out = Arrays.copyOf(batch, batch.length + 2);
            out[batch.length] = a[a.length - 2];
            out[batch.length + 1] = b[b.length - 1];
            return List.of(out);
        }

        @Override
        public List<Value> call(List<Value> inputs, CallContext ctx) {
            NdArray a = inputs.get(0).array(), b = inputs.get(1).array();
            long[] outShape = outputShapes(List.of(longs(a.shape()), longs(b.shape()))).get(0);
            int rank = outShape.length, n = (int) outShape[rank - 2], m = (int) outShape[rank - 1], k = a.dim(-1);
            int[] batch = new int[rank - 2];
            for (int i = 0; i < batch.length; i++) batch[i] = (int) outShape[i];
            int batches = NdArray.sizeOf(batch);
            float[] out = new float[batches * n * m], av = a.data(), bv = b.data();
            int[] idx = new int[batch.length];
            for (int t = 0; t < batches; t++) {
                int ao = offset(a.shape(), idx) * n * k, bo = offset(b.shape(), idx) * k * m, oo = t * n * m;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        double acc = 0;
                        for (int p = 0; p < k; p++) acc += av[ao + i * k + p] * bv[bo + p * m + j];
                        out[oo + i * m + j] = (float) acc;
                    }
                }
                for (int ax = idx.length - 1; ax >= 0 && ++idx[ax] == batch[ax]; ax--) idx[ax] = 0;
            }
            return List.of(Value.of(NdArray.wrap(out, Arrays.stream(outShape).mapToInt(Math::toIntExact).toArray())));
        }

        /** The matrix index within {@code shape}'s leading axes of the broadcast batch index {@code idx}. */
        private static int offset(int[] shape, int[] idx) {
            int lead = shape.length - 2, off = 0;
            for (int i = 0; i < lead; i++) {
                int at = idx[idx.length - lead + i];
                off = off * shape[i] + (shape[i] == 1 ? 0 : at);
            }
            return off;
        }

        private static long[] longs(int[] s) { return Arrays.stream(s).asLongStream().toArray(); }
    }
}
