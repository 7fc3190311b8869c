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
import java.util.List;

/**
 * tf.keras's {@code SlicingOpLambda}: {@code x[:, 2:10:2]} or {@code x[:, 3]} in a functional model, recorded as
 * {@code __operators__.getitem} with the call's {@code slice_spec}, one entry per leading axis: a slice
 * ({@code {start, stop, step}}, each possibly null, with Python's meaning of negative and omitted bounds) or an integer
 * index, which drops the axis. Axes past the spec are kept whole. Other entries (Ellipsis, newaxis, tensors) are
 * refused with the layer named.
 */
final class SlicingOpLambdaOp implements LayerOp {
    private final LayerSpec spec;
    private final JsonArray sliceSpec;

    SlicingOpLambdaOp(LayerSpec spec) {
        this(spec, null);
        String function = Configs.string(spec, "function", "");
        if (!function.equals("__operators__.getitem")) throw Configs.unsupported(spec, "TensorFlow function tf." + function);
    }

    /** The slicing of a call whose slice_spec is known (a Keras 3 GetItem node's key, in tf.keras's spelling). */
    SlicingOpLambdaOp(LayerSpec spec, JsonArray sliceSpec) {
        this.spec = spec;
        this.sliceSpec = sliceSpec;
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        JsonValue s = node.kwargs().get("slice_spec");
        if (!s.isArray()) throw Configs.unsupported(spec, "a call without slice_spec");
        return new SlicingOpLambdaOp(spec, s.asArray());
    }

    /** Per input axis: the selected indices, and whether an integer index drops the axis. */
    private record Axis(int[] indices, boolean dropped) {}

    private List<Axis> axes(long[] in) {
        if (sliceSpec == null) throw Configs.unsupported(spec, "a call without slice_spec");
        if (sliceSpec.size() > in.length) {
            throw Configs.bad(spec, "slice_spec", "indexes " + sliceSpec.size() + " axes of a rank-" + in.length + " tensor");
        }
        List<Axis> out = new ArrayList<>();
        for (int a = 0; a < in.length; a++) {
            long dim = in[a];
            JsonValue entry = a < sliceSpec.size() ? sliceSpec.get(a) : null;
            if (entry == null || (entry.isObject() && isWhole(entry.asObject()))) {
                out.add(new Axis(dim < 0 ? null : range(0, (int) dim, 1), false));
            } else if (entry instanceof JsonNumber n) {
                if (dim < 0) throw Configs.unsupported(spec, "an integer index into an axis of unknown size");
                int i = n.intValue() < 0 ? n.intValue() + (int) dim : n.intValue();
                if (i < 0 || i >= dim) throw Configs.bad(spec, "slice_spec", "index " + n.intValue() + " is out of range for size " + dim);
                out.add(new Axis(new int[] {i}, true));
            } else if (entry.isObject() && entry.asObject().has("start")) {
                if (dim < 0) throw Configs.unsupported(spec, "slicing an axis of unknown size");
                out.add(new Axis(slice(entry.asObject(), (int) dim), false));
            } else {
                throw Configs.unsupported(spec, "slice_spec entry " + entry.toJson());
            }
        }
        return out;
    }

    private static boolean isWhole(JsonObject s) {
        return s.get("start").isNull() && s.get("stop").isNull() && s.get("step").isNull();
    }

    /** Python's {@code slice(start, stop, step).indices(n)}. */
    private int[] slice(JsonObject s, int n) {
        int step = s.get("step").isNull() ? 1 : ((JsonNumber) s.get("step")).intValue();
        if (step == 0) throw Configs.bad(spec, "slice_spec", "has step 0");
        int lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
        int start = bound(s.get("start"), n, step > 0 ? lower : upper, lower, upper);
        int stop = bound(s.get("stop"), n, step > 0 ? upper : lower, lower, upper);
        int count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = start + i * step;
        return out;
    }

    private int bound(JsonValue v, int n, int omitted, int lower, int upper) {
        if (v.isNull()) return omitted;
        if (!(v instanceof JsonNumber num)) throw Configs.unsupported(spec, "a slice bound " + v.toJson());
        int b = num.intValue();
        if (b < 0) b += n;
        return Math.max(lower, Math.min(upper, b));
    }

    private static int[] range(int from, int to, int step) {
        int[] out = new int[(to - from) / step];
        for (int i = 0; i < out.length; i++) out[i] = from + i * step;
        return out;
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0);
        List<Axis> axes = axes(in);
        List<Long> out = new ArrayList<>();
        for (int a = 0; a < in.length; a++) {
            Axis ax = axes.get(a);
            if (!ax.dropped()) out.add(ax.indices() == null ? in[a] : ax.indices().length);
        }
        return List.of(out.stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        NdArray x = inputs.get(0).array();
        int[] shape = x.shape();
        long[] in = java.util.Arrays.stream(shape).asLongStream().toArray();
        List<Axis> axes = axes(in);
        int rank = shape.length;
        int[][] picks = new int[rank][];
        int[] strides = new int[rank];
        int total = 1;
        for (int a = rank - 1, stride = 1; a >= 0; a--) {
            picks[a] = axes.get(a).indices();
            strides[a] = stride;
            stride *= shape[a];
            total *= picks[a].length;
        }
        float[] src = x.data(), out = new float[total];
        int[] counter = new int[rank];
        for (int o = 0; o < total; o++) {
            int offset = 0;
            for (int a = 0; a < rank; a++) offset += picks[a][counter[a]] * strides[a];
            out[o] = src[offset];
            for (int a = rank - 1; a >= 0 && ++counter[a] == picks[a].length; a--) counter[a] = 0;
        }
        int[] outShape = java.util.Arrays.stream(outputShapes(List.of(in)).get(0)).mapToInt(Math::toIntExact).toArray();
        return List.of(Value.of(NdArray.wrap(out, outShape)));
    }
}
