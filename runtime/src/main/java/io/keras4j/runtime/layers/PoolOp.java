package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * {@code MaxPooling1D/2D} and {@code AveragePooling1D/2D}. Padded positions never count: max ignores them and
 * average divides by the number of real inputs under the window, as TensorFlow does for "same".
 */
final class PoolOp extends ArrayOp {
    private final int rank;
    private final boolean max;
    private final int[] poolSize;
    private final int[] strides;
    private final String padding;
    private final boolean channelsFirst;

    PoolOp(LayerSpec spec, int rank, boolean max) {
        super(spec);
        this.rank = rank;
        this.max = max;
        this.poolSize = Configs.tuple(spec, "pool_size", rank, 2);
        this.strides = spec.config().get("strides").isNull() ? poolSize : Configs.tuple(spec, "strides", rank, 1);
        this.padding = Configs.string(spec, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        this.channelsFirst = Configs.channelsFirst(spec);
    }

    @Override
    long[] outputShape(long[] in) {
        long[] out = in.clone();
        int first = channelsFirst ? 2 : 1;
        for (int i = 0; i < rank; i++) out[first + i] = Shapes.windowOutput(in[first + i], poolSize[i], strides[i], 1, padding);
        return out;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        NdArray xa = channelsFirst ? Transpose.toChannelsLast(in) : in;
        float[] x = xa.data();
        int n = xa.dim(0), c = xa.dim(-1);
        int h = rank == 2 ? xa.dim(1) : 1, w = xa.dim(rank == 2 ? 2 : 1);
        ConvGeometry gy = rank == 2 ? ConvGeometry.of(h, poolSize[0], strides[0], 1, padding) : new ConvGeometry(1, 1, 1, 1, 1, 0);
        ConvGeometry gx = ConvGeometry.of(w, poolSize[rank - 1], strides[rank - 1], 1, padding);
        int oh = gy.out(), ow = gx.out();
        float[] out = new float[n * oh * ow * c];
        ctx.parallelFor(n * oh, (long) ow * c * poolSize[0] * poolSize[rank - 1], (from, to) -> {
            float[] acc = new float[c];
            for (int row = from; row < to; row++) {
                int b = row / oh, oy = row % oh;
                for (int ox = 0; ox < ow; ox++) {
                    java.util.Arrays.fill(acc, max ? Float.NEGATIVE_INFINITY : 0f);
                    int count = 0;
                    for (int ky = 0; ky < gy.kernel(); ky++) {
                        int iy = gy.source(oy, ky);
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < gx.kernel(); kx++) {
                            int ix = gx.source(ox, kx);
                            if (ix < 0 || ix >= w) continue;
                            int xi = ((b * h + iy) * w + ix) * c;
                            count++;
                            if (max) for (int ch = 0; ch < c; ch++) acc[ch] = Math.max(acc[ch], x[xi + ch]);
                            else for (int ch = 0; ch < c; ch++) acc[ch] += x[xi + ch];
                        }
                    }
                    int o = (row * ow + ox) * c;
                    if (max) System.arraycopy(acc, 0, out, o, c);
                    else for (int ch = 0; ch < c; ch++) out[o + ch] = acc[ch] / count;
                }
            }
        });
        NdArray y = NdArray.wrap(out, rank == 2 ? new int[] {n, oh, ow, c} : new int[] {n, ow, c});
        return channelsFirst ? Transpose.toChannelsFirst(y) : y;
    }

    @Override Mask outputMask(Value in) { return null; }
}
