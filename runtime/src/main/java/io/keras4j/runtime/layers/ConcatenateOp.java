package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** {@code Concatenate} along {@code axis}. Masks combine with AND when the step axes are untouched. */
final class ConcatenateOp implements LayerOp {
    private final int axis;

    ConcatenateOp(LayerSpec spec) { this.axis = Configs.integer(spec, "axis", -1); }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] out = inputShapes.get(0).clone();
        int a = Shapes.axis(axis, out.length);
        for (long[] s : inputShapes.subList(1, inputShapes.size())) out[a] = out[a] < 0 || s[a] < 0 ? -1 : out[a] + s[a];
        return List.of(out);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        int[] shape = inputs.get(0).array().shape();
        int a = Shapes.axis(axis, shape.length);
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= shape[i];
        int total = 0;
        for (Value v : inputs) total += v.array().dim(a);
        int inner = inputs.get(0).array().stride(a + 1);
        float[] out = new float[outer * total * inner];
        int offset = 0;
        Mask mask = null;
        for (Value v : inputs) {
            int block = v.array().dim(a) * inner;
            float[] src = v.array().data();
            for (int o = 0; o < outer; o++) System.arraycopy(src, o * block, out, o * total * inner + offset, block);
            offset += block;
            if (a == shape.length - 1) mask = Mask.and(mask, v.mask());
        }
        shape[a] = total;
        return List.of(new Value(NdArray.wrap(out, shape), mask));
    }
}
