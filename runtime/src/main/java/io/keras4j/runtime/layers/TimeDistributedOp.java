package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** {@code TimeDistributed}: the wrapped layer applied to every step, by folding steps into the batch axis. */
final class TimeDistributedOp implements LayerOp {
    private final LayerOp inner;

    TimeDistributedOp(LayerSpec spec) {
        this.inner = spec.buildInner(Configs.object(spec, "layer"), spec.weights());
    }

    private static long[] fold(long[] shape) {
        long[] out = new long[shape.length - 1];
        out[0] = shape[0] < 0 || shape[1] < 0 ? -1 : shape[0] * shape[1];
        System.arraycopy(shape, 2, out, 1, shape.length - 2);
        return out;
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0);
        long[] inner0 = inner.outputShapes(List.of(fold(in))).get(0);
        long[] out = new long[inner0.length + 1];
        out[0] = in[0];
        out[1] = in[1];
        System.arraycopy(inner0, 1, out, 2, inner0.length - 1);
        return List.of(out);
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) { return inner.weightShapes(List.of(fold(inputShapes.get(0)))); }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value in = inputs.get(0);
        int[] shape = in.array().shape();
        int[] folded = new int[shape.length - 1];
        folded[0] = shape[0] * shape[1];
        System.arraycopy(shape, 2, folded, 1, shape.length - 2);
        NdArray y = inner.call(List.of(Value.of(in.array().reshape(folded))), ctx).get(0).array();
        int[] yShape = y.shape();
        int[] out = new int[yShape.length + 1];
        out[0] = shape[0];
        out[1] = shape[1];
        System.arraycopy(yShape, 1, out, 2, yShape.length - 1);
        return List.of(new Value(y.reshape(out), in.mask()));
    }
}
