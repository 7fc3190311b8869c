package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** {@code TimeDistributed}: the wrapped layer applied to every step, steps folded into the batch axis ({@link TimeFold}). */
final class TimeDistributedOp implements LayerOp {
    private final LayerOp inner;

    TimeDistributedOp(LayerSpec spec) {
        this.inner = spec.buildInner(Configs.object(spec, "layer"), spec.weights());
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0);
        return List.of(TimeFold.unfold(in, inner.outputShapes(List.of(TimeFold.fold(in))).get(0)));
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        return inner.weightShapes(List.of(TimeFold.fold(inputShapes.get(0))));
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value in = inputs.get(0);
        int[] shape = in.array().shape();
        NdArray y = inner.call(List.of(Value.of(in.array().reshape(TimeFold.fold(shape)))), ctx).get(0).array();
        return List.of(new Value(y.reshape(TimeFold.unfold(shape, y.shape())), in.mask()));
    }
}
