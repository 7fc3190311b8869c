package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.Arrays;
import java.util.List;

/** {@code PReLU}: {@code x} where positive, {@code alpha * x} elsewhere; alpha shared along {@code shared_axes}. */
final class PReluOp extends UnaryArrayOp {
    private final int[] shared;
    private final float[] alpha;

    PReluOp(LayerSpec spec) {
        super(spec);
        this.shared = spec.config().get("shared_axes").isNull() ? new int[0] : Configs.axes(spec, "shared_axes", 0);
        this.alpha = spec.floats(0);
    }

    @Override long[] outputShape(long[] in) { return in; }

    /** The input's shape without the batch axis, 1 along the shared axes. */
    private long[] alphaShape(long[] in) {
        long[] a = Arrays.copyOfRange(in, 1, in.length);
        for (int axis : shared) a[axis - 1] = 1;
        return a;
    }

    @Override public List<long[]> weightShapes(List<long[]> inputShapes) { return List.of(alphaShape(single(inputShapes))); }

    @Override NdArray forward(NdArray in, CallContext ctx) {
        int[] shape = in.shape();
        long[] a = alphaShape(Arrays.stream(shape).asLongStream().toArray());
        int[] alphaDims = new int[shape.length];
        alphaDims[0] = 1;
        for (int i = 1; i < shape.length; i++) alphaDims[i] = (int) a[i - 1];
        NdArray slopes = NdArray.wrap(alpha, alphaDims);
        return Broadcast.apply(in, slopes, (x, s) -> x >= 0 ? x : s * x);
    }
}
