package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** A layer with one input and one output. By default the input's mask passes through, as for Keras layers that support masking. */
abstract class UnaryOp implements LayerOp {
    protected final LayerSpec spec;

    UnaryOp(LayerSpec spec) { this.spec = spec; }

    abstract long[] outputShape(long[] in);

    abstract NdArray forward(NdArray in, CallContext ctx);

    /** The mask of the output; {@code null} drops it (layers that change the step axis). */
    Mask outputMask(Value in) { return in.mask(); }

    @Override
    public final List<long[]> outputShapes(List<long[]> inputShapes) { return List.of(outputShape(single(inputShapes))); }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value in = single(inputs);
        return List.of(new Value(forward(in.array(), ctx), outputMask(in)));
    }

    protected <T> T single(List<T> inputs) {
        if (inputs.size() != 1) {
            throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + ") takes one input, got "
                    + inputs.size());
        }
        return inputs.get(0);
    }

    /** A fresh copy of the data, for ops that then work in place. */
    static float[] copy(NdArray a) { return a.data().clone(); }
}
