package io.keras4j.runtime.layers;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Weight;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Bidirectional}: a forward and a backward recurrent layer over the same sequence, merged by
 * {@code merge_mode} (concat, sum, mul, ave). The backward layer's sequence output comes back in reversed step
 * order and is flipped before merging. Weights: the forward layer's, then the backward layer's.
 */
final class BidirectionalOp implements LayerOp {
    private final LayerSpec spec;
    private final RecurrentOp forward;
    private final RecurrentOp backward;
    private final String mergeMode;

    BidirectionalOp(LayerSpec spec) {
        this.spec = spec;
        JsonObject forwardEntry = Configs.object(spec, "layer");
        JsonValue backwardValue = spec.config().get("backward_layer");
        JsonObject backwardEntry = backwardValue.isObject() ? backwardValue.asObject() : flipped(forwardEntry);
        List<Weight> all = spec.weights();
        int half = all.size() / 2;
        LayerOp f = spec.buildInner(forwardEntry, all.isEmpty() ? all : all.subList(0, half));
        LayerOp b = spec.buildInner(backwardEntry, all.isEmpty() ? all : all.subList(half, all.size()));
        if (!(f instanceof RecurrentOp fr) || !(b instanceof RecurrentOp br)) {
            throw Configs.unsupported(spec, "a Bidirectional wrapper around a non-recurrent layer");
        }
        if (forwardEntry.getObject("config").getBoolean("return_state", false)) {
            throw Configs.unsupported(spec, "a Bidirectional layer returning states");
        }
        this.mergeMode = spec.config().get("merge_mode").isNull() ? "none" : Configs.string(spec, "merge_mode", "concat");
        if (mergeMode.equals("none")) throw Configs.unsupported(spec, "merge_mode=None");
        // Keras sets zero_output_for_mask = return_sequences on both inner layers.
        this.forward = fr.withZeroOutputForMask(fr.returnsSequences());
        this.backward = br.withZeroOutputForMask(br.returnsSequences());
    }

    private static JsonObject flipped(JsonObject entry) {
        JsonObject config = entry.getObject("config");
        return entry.with("config", config.with("go_backwards", !config.getBoolean("go_backwards", false)));
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        // Keras splits initial states between the two directions; computing without them would be silently wrong.
        if (inputShapes.size() > 1) throw Configs.unsupported(spec, "a Bidirectional layer given initial states");
        long[] f = forward.outputShapes(inputShapes).get(0);
        if (!mergeMode.equals("concat")) return List.of(f);
        long[] out = f.clone();
        out[out.length - 1] *= 2;
        return List.of(out);
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        List<long[]> shapes = new ArrayList<>(forward.weightShapes(inputShapes));
        shapes.addAll(backward.weightShapes(inputShapes));
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value f = forward.call(inputs.subList(0, 1), ctx).get(0);
        Value b = backward.call(inputs.subList(0, 1), ctx).get(0);
        NdArray fa = f.array(), ba = b.array();
        float[] bv = ba.data();
        if (ba.rank() == 3) bv = reverseSteps(ba);
        int units = fa.dim(-1), rows = fa.size() / units;
        float[] fv = fa.data();
        int outUnits = mergeMode.equals("concat") ? 2 * units : units;
        float[] out = new float[rows * outUnits];
        for (int r = 0; r < rows; r++) {
            for (int u = 0; u < units; u++) {
                float x = fv[r * units + u], y = bv[r * units + u];
                switch (mergeMode) {
                    case "concat":
                        out[r * outUnits + u] = x;
                        out[r * outUnits + units + u] = y;
                        break;
                    case "sum": out[r * units + u] = x + y; break;
                    case "mul": out[r * units + u] = x * y; break;
                    case "ave": out[r * units + u] = (x + y) / 2; break;
                    default: throw Configs.unsupported(spec, "merge_mode=" + mergeMode);
                }
            }
        }
        int[] shape = fa.shape();
        shape[shape.length - 1] = outUnits;
        return List.of(new Value(NdArray.wrap(out, shape), f.mask()));
    }

    private static float[] reverseSteps(NdArray seq) {
        int batch = seq.dim(0), steps = seq.dim(1), units = seq.dim(2);
        float[] src = seq.data(), dst = new float[src.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(src, (b * steps + t) * units, dst, (b * steps + steps - 1 - t) * units, units);
            }
        }
        return dst;
    }
}
