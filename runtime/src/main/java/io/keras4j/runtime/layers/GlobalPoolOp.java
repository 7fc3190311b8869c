package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Pool;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * {@code GlobalMax/AveragePooling1D/2D/3D}: reduce every spatial axis, optionally keeping them as size 1.
 * {@code GlobalAveragePooling1D} honours a step mask (the mean over kept steps), as Keras does.
 */
final class GlobalPoolOp extends UnaryOp {
    private final boolean max;
    private final boolean channelsFirst;
    private final boolean keepDims;

    GlobalPoolOp(LayerSpec spec, boolean max) {
        super(spec);
        this.max = max;
        this.channelsFirst = Configs.channelsFirst(spec);
        this.keepDims = Configs.flag(spec, "keepdims", false);
    }

    @Override
    long[] outputShape(long[] in) {
        long channels = in[channelsFirst ? 1 : in.length - 1];
        if (!keepDims) return new long[] {in[0], channels};
        long[] out = new long[in.length];
        java.util.Arrays.fill(out, 1);
        out[0] = in[0];
        out[channelsFirst ? 1 : in.length - 1] = channels;
        return out;
    }

    @Override
    Value apply(Value input, CallContext ctx) {
        Value in = input;
        NdArray x = in.array();
        int n = x.dim(0), c = channelsFirst ? x.dim(1) : x.dim(-1), steps = x.size() / (n * c);
        // View as [n, steps, c] (channels last) or [n, c, steps] (channels first).
        int stepStride = channelsFirst ? 1 : c, channelStride = channelsFirst ? steps : 1;
        Mask mask = !max && in.mask() != null && in.mask().keep().length == n * steps ? in.mask() : null;
        float[] data = x.data();
        float[] out = ctx.buffer(n * c);
        // Steps outer, channels inner: channels-last rows are read in order. Each channel still sums its steps in
        // step order, in double, as before. Images split over threads (a step reads c floats: memory-bound, hence
        // the higher cost per item).
        ctx.parallelFor(n, (long) steps * c * Pool.MEMORY_BOUND_COST, (from, to) -> {
            double[] acc = new double[c];
            for (int b = from; b < to; b++) {
                java.util.Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : 0);
                int count = 0;
                for (int s = 0; s < steps; s++) {
                    if (mask != null && !mask.get(b * steps + s)) continue;
                    count++;
                    int base = b * steps * c + s * stepStride;
                    for (int ch = 0; ch < c; ch++) {
                        float v = data[base + ch * channelStride];
                        acc[ch] = max ? Math.max(acc[ch], v) : acc[ch] + v;
                    }
                }
                for (int ch = 0; ch < c; ch++) out[b * c + ch] = (float) (max ? acc[ch] : acc[ch] / Math.max(count, 1));
            }
        });
        int[] shape = java.util.Arrays.stream(outputShape(java.util.Arrays.stream(x.shape()).asLongStream().toArray()))
                .mapToInt(Math::toIntExact).toArray();
        return Value.of(NdArray.wrap(out, shape));
    }

}
