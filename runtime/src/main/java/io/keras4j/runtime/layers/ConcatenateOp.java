package io.keras4j.runtime.layers;

import io.keras4j.model.Dialect;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.Arrays;
import java.util.List;

/**
 * {@code Concatenate} along {@code axis}, and Keras 3's {@code concatenate} operation node (same {@code axis} key).
 * Masks concatenate as Keras does: each input's mask spread over the input's shape (all kept when unmasked),
 * concatenated, then reduced over the last axis, with ALL in tf.keras and ANY in Keras 3.
 */
final class ConcatenateOp implements LayerOp {
    private final int axis;
    private final boolean keepIfAnyKept;

    ConcatenateOp(LayerSpec spec) {
        this.axis = Configs.integer(spec, "axis", -1);
        this.keepIfAnyKept = spec.sourceDialect() == Dialect.KERAS3;
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] out = inputShapes.get(0).clone();
        int a = Shapes.axis(axis, out.length);
        for (long[] s : inputShapes.subList(1, inputShapes.size())) out[a] = out[a] < 0 || s[a] < 0 ? -1 : out[a] + s[a];
        return List.of(out);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        int a = Shapes.axis(axis, inputs.get(0).array().rank());
        return List.of(new Value(concatenate(inputs.stream().map(Value::array).toList(), a), mask(inputs, a)));
    }

    private static NdArray concatenate(List<NdArray> parts, int a) {
        int[] shape = parts.get(0).shape();
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= shape[i];
        int total = 0;
        for (NdArray p : parts) total += p.dim(a);
        int inner = parts.get(0).stride(a + 1);
        float[] out = new float[outer * total * inner];
        int offset = 0;
        for (NdArray p : parts) {
            int block = p.dim(a) * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(p.data(), o * block, out, o * total * inner + offset, block);
            offset += block;
        }
        shape[a] = total;
        return NdArray.wrap(out, shape);
    }

    private Mask mask(List<Value> inputs, int a) {
        if (inputs.stream().allMatch(v -> v.mask() == null)) return null;
        NdArray spread = concatenate(inputs.stream().map(ConcatenateOp::spreadMask).toList(), a);
        int last = spread.dim(-1), rows = spread.size() / last;
        float[] d = spread.data();
        boolean[] keep = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            boolean acc = !keepIfAnyKept;
            for (int j = 0; j < last; j++) acc = keepIfAnyKept ? acc || d[r * last + j] != 0 : acc && d[r * last + j] != 0;
            keep[r] = acc;
        }
        int[] shape = spread.shape();
        return new Mask(keep, Arrays.copyOf(shape, shape.length - 1));
    }

    /** The input's mask as 1 or 0 for every element of the input. */
    private static NdArray spreadMask(Value v) {
        NdArray x = v.array();
        float[] out = new float[x.size()];
        if (v.mask() == null) {
            Arrays.fill(out, 1f);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = v.mask().keepsElement(i, out.length) ? 1f : 0f;
        }
        return NdArray.wrap(out, x.shape());
    }
}
