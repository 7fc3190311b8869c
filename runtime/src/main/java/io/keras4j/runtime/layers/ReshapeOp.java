package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.Arrays;

/** {@code Flatten} and {@code Reshape}: a new view of the same values (Flatten channels_first moves channels last first). */
final class ReshapeOp extends UnaryArrayOp {
    /** Target shape without the batch axis; {@code null} flattens. May hold one {@code -1}. */
    private final long[] target;
    private final boolean channelsFirstFlatten;

    private ReshapeOp(LayerSpec spec, long[] target, boolean channelsFirstFlatten) {
        super(spec);
        this.target = target;
        this.channelsFirstFlatten = channelsFirstFlatten;
    }

    static ReshapeOp flatten(LayerSpec spec) { return new ReshapeOp(spec, null, Configs.channelsFirst(spec)); }

    static ReshapeOp reshape(LayerSpec spec) {
        return new ReshapeOp(spec, spec.config().getArray("target_shape").toLongs(), false);
    }

    @Override
    long[] outputShape(long[] in) {
        long known = Shapes.product(in, 1, in.length);
        if (target == null) return new long[] {in[0], known};
        long[] out = new long[target.length + 1];
        out[0] = in[0];
        int free = -1;
        long product = 1;
        for (int i = 0; i < target.length; i++) {
            out[i + 1] = target[i];
            if (target[i] < 0) free = i + 1;
            else product *= target[i];
        }
        if (free >= 0) out[free] = known < 0 ? -1 : known / product;
        else if (known >= 0 && known != product) {
            throw new UnsupportedModelException("layer '" + spec.name() + "': cannot reshape " + Shapes.str(in) + " to "
                    + Shapes.str(out));
        }
        return out;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        NdArray src = channelsFirstFlatten && in.rank() > 2 ? Transpose.toChannelsLast(in) : in;
        long[] shape = outputShape(Arrays.stream(in.shape()).asLongStream().toArray());
        return src.reshape(Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
    }

    @Override Mask outputMask(Value in) { return null; }
}
