package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** A layer with one input and one output, both with their masks. */
abstract class UnaryOp implements LayerOp {
    protected final LayerSpec spec;

    UnaryOp(LayerSpec spec) { this.spec = spec; }

    abstract long[] outputShape(long[] in);

    abstract Value apply(Value in, CallContext ctx);

    @Override
    public final List<long[]> outputShapes(List<long[]> inputShapes) { return List.of(outputShape(single(inputShapes))); }

    @Override
    public final List<Value> call(List<Value> inputs, CallContext ctx) { return List.of(apply(single(inputs), ctx)); }

    protected <T> T single(List<T> inputs) {
        if (inputs.size() != 1) {
            throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + ") takes one input, got "
                    + inputs.size());
        }
        return inputs.get(0);
    }
}
