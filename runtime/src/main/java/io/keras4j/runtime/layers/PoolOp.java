package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Pool;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;

/**
 * {@code MaxPooling1D/2D/3D} and {@code AveragePooling1D/2D/3D}. Padded positions never count: max ignores them and
 * average divides by the number of real inputs under the window, as TensorFlow does for "same". Each output pixel
 * runs over channels innermost ({@link Pool#pixel}: a vector of channels per register on the Vector API path).
 */
final class PoolOp extends SpatialOp implements io.keras4j.runtime.graph.FusibleOp {
    private final boolean max;
    private final int[] poolSize;
    private final int[] strides;
    private final String padding;

    PoolOp(LayerSpec spec, int rank, boolean max) {
        super(spec, rank);
        this.max = max;
        this.poolSize = Configs.tuple(spec, "pool_size", rank, 2);
        this.strides = spec.config().get("strides").isNull() ? poolSize : Configs.tuple(spec, "strides", rank, 1);
        this.padding = Configs.padding(spec, "valid", "same");
    }

    @Override
    public int[] asTilingMaxPool2D() {
        boolean tiling = max && rank == 2 && !channelsFirst && padding.equals("valid")
                && java.util.Arrays.equals(strides, poolSize) && poolSize[0] >= 1 && poolSize[1] >= 1;
        return tiling ? poolSize.clone() : null;
    }

    @Override
    long[] outputShape(long[] in) {
        return spatialShape(in, (i, len) -> Window.length(len, poolSize[i], strides[i], 1, padding));
    }

    @Override
    NdArray forwardChannelsLast(NdArray xa, CallContext ctx) {
        float[] x = xa.data();
        int n = xa.dim(0), c = xa.dim(-1);
        Window[] g = windows(xa, (i, len) -> Window.of(len, poolSize[i], strides[i], 1, padding));
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in(), ow = gx.out(), planes = gz.out() * gy.out();
        float[] out = ctx.buffer(n * planes * ow * c);
        ctx.parallelFor(n * planes, (long) ow * c * gz.kernel() * gy.kernel() * gx.kernel() * Pool.MEMORY_BOUND_COST, (from, to) -> {
            int[] xAt = new int[gz.kernel() * gy.kernel() * gx.kernel()];
            for (int row = from; row < to; row++) {
                int b = row / planes, oz = row % planes / gy.out(), oy = row % gy.out();
                for (int ox = 0; ox < ow; ox++) {
                    int taps = 0;
                    for (int kz = 0; kz < gz.kernel(); kz++) {
                        int iz = gz.source(oz, kz);
                        if (iz < 0 || iz >= d) continue;
                        for (int ky = 0; ky < gy.kernel(); ky++) {
                            int iy = gy.source(oy, ky);
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < gx.kernel(); kx++) {
                                int ix = gx.source(ox, kx);
                                if (ix < 0 || ix >= w) continue;
                                xAt[taps++] = (((b * d + iz) * h + iy) * w + ix) * c;
                            }
                        }
                    }
                    Pool.pixel(x, xAt, taps, max, out, (row * ow + ox) * c, c);
                }
            }
        });
        return channelsLast(out, n, g, c);
    }
}
