package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * Layers that only move values: {@code Permute}, {@code RepeatVector}, {@code ZeroPadding1D/2D/3D},
 * {@code Cropping1D/2D/3D} and {@code UpSampling1D/2D/3D} (nearest; bilinear in 2D), the spatial ones
 * {@link SpatialOp}s like convolutions.
 */
final class ShapeOps {
    private ShapeOps() {}

    /** {@code Permute(dims)}: dims are 1-based axes after the batch axis. */
    static UnaryOp permute(LayerSpec spec) {
        long[] dims = spec.config().getArray("dims").toLongs();
        int[] perm = new int[dims.length + 1];
        for (int i = 0; i < dims.length; i++) perm[i + 1] = (int) dims[i];
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) {
                long[] out = new long[in.length];
                for (int i = 0; i < in.length; i++) out[i] = in[perm[i]];
                return out;
            }

            @Override NdArray forward(NdArray in, CallContext ctx) { return Transpose.permute(in, perm); }

            @Override Mask outputMask(Value in) { return null; }
        };
    }

    /** {@code RepeatVector(n)}: {@code [b, d]} to {@code [b, n, d]}. */
    static UnaryOp repeatVector(LayerSpec spec) {
        int n = Configs.requiredInt(spec, "n");
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return new long[] {in[0], n, in[1]}; }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                int b = in.dim(0), d = in.dim(1);
                float[] out = new float[b * n * d];
                for (int i = 0; i < b; i++) for (int r = 0; r < n; r++) System.arraycopy(in.data(), i * d, out, (i * n + r) * d, d);
                return NdArray.wrap(out, b, n, d);
            }

            @Override Mask outputMask(Value in) { return null; }
        };
    }

    /** {@code Cropping1D/2D/3D}: {@code cropping} before and after each spatial axis. */
    static UnaryOp cropping(LayerSpec spec, int rank) {
        int[][] crop = pairs(spec, "cropping", rank);
        return new SpatialGather(spec, rank) {
            @Override long size(int axis, long in) {
                if (in < 0) return -1;
                long out = in - crop[axis][0] - crop[axis][1];
                // Keras 3 refuses such a model at load; tf.keras built it and failed at predict.
                if (out <= 0) {
                    throw new EmptyOutputException(Configs.bad(spec, "cropping", "removes " + (crop[axis][0] + crop[axis][1])
                            + " of the " + in + " steps of spatial axis " + (axis + 1) + ", leaving none").getMessage());
                }
                return out;
            }

            @Override int source(int axis, int out) { return out + crop[axis][0]; }
        };
    }

    /** {@code UpSampling1D/2D/3D} with nearest interpolation: each step repeated {@code size} times. */
    static UnaryOp upSampling(LayerSpec spec, int rank) {
        int[] size = Configs.tuple(spec, "size", rank, 2);
        String interpolation = Configs.string(spec, "interpolation", "nearest");
        if (rank == 2 && interpolation.equals("bilinear")) return new BilinearUpSampling(spec, size);
        if (!interpolation.equals("nearest")) throw Configs.unsupported(spec, "interpolation=" + interpolation);
        SpatialGather gather = new SpatialGather(spec, rank) {
            @Override long size(int axis, long in) { return in < 0 ? -1 : in * size[axis]; }

            @Override int source(int axis, int out) { return out / size[axis]; }
        };
        return rank == 3 && !Configs.channelsFirst(spec) ? new ChannelFreeVolumes(spec, gather) : gather;
    }

    /**
     * tf.keras's {@code UpSampling3D} repeats axes 1, 2 and 3 of a channels-last input whatever its rank, so a
     * rank-4 input {@code [batch, d, h, w]} (no channel axis) is upsampled on all three: computed here as one channel.
     */
    private static final class ChannelFreeVolumes extends UnaryArrayOp {
        private final SpatialGather volumes;

        ChannelFreeVolumes(LayerSpec spec, SpatialGather volumes) {
            super(spec);
            this.volumes = volumes;
        }

        @Override long[] outputShape(long[] in) { return volumes.outputShape(in); }

        @Override Mask outputMask(Value in) { return null; }

        @Override NdArray forward(NdArray x, CallContext ctx) {
            if (x.rank() != 4) return volumes.forward(x, ctx);
            int[] s = x.shape();
            NdArray y = volumes.forward(x.reshape(s[0], s[1], s[2], s[3], 1), ctx);
            return y.reshape(y.dim(0), y.dim(1), y.dim(2), y.dim(3));
        }
    }

    /** {@code ZeroPadding1D/2D/3D}: zeros before and after each spatial axis. */
    static UnaryOp zeroPadding(LayerSpec spec, int rank) { return new ZeroPadding(spec, rank, pairs(spec, "padding", rank)); }

    /** A convolution that alone reads the padded output absorbs the padding (compile-time fusion). */
    private static final class ZeroPadding extends SpatialGather implements io.keras4j.runtime.graph.FusibleOp {
        private final int[][] pad;

        ZeroPadding(LayerSpec spec, int rank, int[][] pad) {
            super(spec, rank);
            this.pad = pad;
        }

        @Override long size(int axis, long in) { return in < 0 ? -1 : in + pad[axis][0] + pad[axis][1]; }

        @Override int source(int axis, int out) { return out - pad[axis][0]; }

        @Override
        public int[][] asZeroPadding() {
            if (channelsFirst) return null;
            int[][] copy = new int[rank][];
            for (int i = 0; i < rank; i++) copy[i] = pad[i].clone();
            return copy;
        }
    }

    /** {@code cropping}/{@code padding}: an int, a pair, or one pair per axis. */
    static int[][] pairs(LayerSpec spec, String key, int rank) {
        var v = spec.config().get(key);
        int[][] out = new int[rank][];
        for (int i = 0; i < rank; i++) {
            var axis = rank > 1 && v.isArray() && v.asArray().size() == rank ? v.asArray().get(i) : v;
            long[] p = axis.isArray() ? axis.asArray().toLongs() : new long[] {Configs.tuple(spec, key, 1, 0)[0]};
            out[i] = p.length == 1 ? new int[] {(int) p[0], (int) p[0]} : new int[] {(int) p[0], (int) p[1]};
        }
        return out;
    }

    /**
     * {@code UpSampling2D(interpolation="bilinear")}: Keras resizes with TensorFlow's bilinear kernel, which samples
     * output pixel {@code o} at input coordinate {@code (o + 0.5) / size - 0.5} (half-pixel centres), clamped to
     * the edges.
     */
    private static final class BilinearUpSampling extends SpatialOp {
        private final int[] size;

        BilinearUpSampling(LayerSpec spec, int[] size) {
            super(spec, 2);
            this.size = size;
        }

        @Override long[] outputShape(long[] in) { return spatialShape(in, (i, len) -> len < 0 ? -1 : len * size[i]); }

        @Override NdArray forwardChannelsLast(NdArray x, CallContext ctx) {
            int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3), oh = h * size[0], ow = w * size[1];
            BilinearSamples rows = BilinearSamples.of(h, oh), cols = BilinearSamples.of(w, ow);
            float[] src = x.data(), out = new float[n * oh * ow * c];
            int o = 0;
            for (int b = 0; b < n; b++) {
                for (int y = 0; y < oh; y++) {
                    int top = (b * h + rows.lower()[y]) * w, bottom = (b * h + rows.upper()[y]) * w;
                    for (int v = 0; v < ow; v++) {
                        int left = cols.lower()[v], right = cols.upper()[v];
                        for (int ch = 0; ch < c; ch++, o++) {
                            float topLeft = src[(top + left) * c + ch], topRight = src[(top + right) * c + ch];
                            float bottomLeft = src[(bottom + left) * c + ch], bottomRight = src[(bottom + right) * c + ch];
                            float upper = topLeft + (topRight - topLeft) * cols.lerp()[v];
                            float lower = bottomLeft + (bottomRight - bottomLeft) * cols.lerp()[v];
                            out[o] = upper + (lower - upper) * rows.lerp()[y];
                        }
                    }
                }
            }
            return NdArray.wrap(out, n, oh, ow, c);
        }
    }

    /** A spatial gather: each output position copies the channels of one input position, or stays zero outside. */
    private abstract static class SpatialGather extends SpatialOp {
        SpatialGather(LayerSpec spec, int rank) { super(spec, rank); }

        abstract long size(int axis, long in);

        abstract int source(int axis, int out);

        @Override long[] outputShape(long[] in) { return spatialShape(in, this::size); }

        @Override NdArray forwardChannelsLast(NdArray x, CallContext ctx) {
            int n = x.dim(0), c = x.dim(-1);
            Window[] g = windows(x, (i, len) -> Window.gather(len, size(i, len)));
            int d = g[0].in(), h = g[1].in(), w = g[2].in();
            float[] src = x.data(), out = ctx.zeroedBuffer(n * g[0].out() * g[1].out() * g[2].out() * c);
            int ow = g[2].out();
            int[] xs = new int[ow];
            for (int v = 0; v < ow; v++) xs[v] = source(rank - 1, v);
            int o = 0;
            for (int b = 0; b < n; b++) {
                for (int z = 0; z < g[0].out(); z++) {
                    int sz = rank == 3 ? source(0, z) : 0;
                    for (int y = 0; y < g[1].out(); y++, o += ow * c) {
                        int sy = rank >= 2 ? source(rank - 2, y) : 0;
                        if (sz < 0 || sz >= d || sy < 0 || sy >= h) continue;
                        int row = ((b * d + sz) * h + sy) * w;
                        for (int v = 0; v < ow; ) {
                            if (xs[v] < 0 || xs[v] >= w) {
                                v++;
                                continue;
                            }
                            // A run of adjacent source pixels (padding, cropping) is one copy.
                            int run = 1;
                            while (v + run < ow && xs[v + run] == xs[v] + run && xs[v + run] < w) run++;
                            System.arraycopy(src, (row + xs[v]) * c, out, o + v * c, run * c);
                            v += run;
                        }
                    }
                }
            }
            return channelsLast(out, n, g, c);
        }
    }
}
