package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * The elementwise merge layers {@code Add}, {@code Subtract}, {@code Multiply}, {@code Average}, {@code Maximum},
 * {@code Minimum}, with broadcasting. Masks combine with AND.
 */
final class MergeOp implements LayerOp {
    private final LayerSpec spec;
    private final Broadcast.FloatOp op;
    private final boolean average;

    private MergeOp(LayerSpec spec, Broadcast.FloatOp op, boolean average) {
        this.spec = spec;
        this.op = op;
        this.average = average;
    }

    static MergeOp add(LayerSpec spec) { return new MergeOp(spec, Float::sum, false); }

    static MergeOp subtract(LayerSpec spec) { return new MergeOp(spec, (a, b) -> a - b, false); }

    static MergeOp multiply(LayerSpec spec) { return new MergeOp(spec, (a, b) -> a * b, false); }

    static MergeOp average(LayerSpec spec) { return new MergeOp(spec, Float::sum, true); }

    static MergeOp maximum(LayerSpec spec) { return new MergeOp(spec, Math::max, false); }

    static MergeOp minimum(LayerSpec spec) { return new MergeOp(spec, Math::min, false); }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] out = inputShapes.get(0).clone();
        for (long[] s : inputShapes.subList(1, inputShapes.size())) {
            for (int i = 1; i <= Math.min(out.length, s.length); i++) {
                long a = out[out.length - i], b = s[s.length - i];
                out[out.length - i] = a == 1 ? b : b == 1 ? a : a < 0 ? b : a;
            }
            if (s.length > out.length) out = s.clone();
        }
        return List.of(out);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        if (inputs.size() < 2) throw Configs.unsupported(spec, "a merge of " + inputs.size() + " input");
        NdArray acc = inputs.get(0).array();
        Mask mask = inputs.get(0).mask();
        for (Value v : inputs.subList(1, inputs.size())) {
            acc = Broadcast.apply(acc, v.array(), op);
            mask = Mask.and(mask, v.mask());
        }
        if (average) {
            float[] out = acc.data();
            float n = inputs.size();
            for (int i = 0; i < out.length; i++) out[i] /= n;
        }
        return List.of(new Value(acc, mask));
    }
}
