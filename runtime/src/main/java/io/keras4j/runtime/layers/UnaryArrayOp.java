package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * A {@link UnaryOp} whose output values are computed from the input array alone ({@link #forward}). The input's mask passes through by default, as for Keras layers
 * that support masking; layers that change the step axis drop it.
 */
abstract class UnaryArrayOp extends UnaryOp {
    UnaryArrayOp(LayerSpec spec) { super(spec); }

    abstract NdArray forward(NdArray in, CallContext ctx);

    /** The mask of the output; {@code null} drops it. */
    Mask outputMask(Value in) { return in.mask(); }

    @Override
    final Value apply(Value in, CallContext ctx) { return new Value(forward(in.array(), ctx), outputMask(in)); }
}
