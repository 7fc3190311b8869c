package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * A layer over 1 to 3 spatial axes between the batch and the channel axis (convolutions, pooling, padding,
 * cropping, upsampling). Kernels see channels-last {@code [n, spatial..., c]}: a channels-first input is transposed
 * in and the result back. Kernels loop over depth, height and width, the axes a lower rank lacks having length 1.
 * The spatial axes change, so the input's mask is dropped.
 */
abstract class SpatialOp extends UnaryArrayOp {
    protected final int rank;
    protected final boolean channelsFirst;

    SpatialOp(LayerSpec spec, int rank) {
        super(spec);
        this.rank = rank;
        this.channelsFirst = Configs.channelsFirst(spec);
    }

    /** The computation on a channels-last input. */
    abstract NdArray forwardChannelsLast(NdArray x, CallContext ctx);

    @Override
    final NdArray forward(NdArray in, CallContext ctx) {
        NdArray y = forwardChannelsLast(channelsFirst ? Transpose.toChannelsLast(in) : in, ctx);
        return channelsFirst ? Transpose.toChannelsFirst(y) : y;
    }

    @Override
    final Mask outputMask(Value in) { return null; }

    /** A spatial axis's output length from its input length (-1 unknown). */
    @FunctionalInterface
    interface AxisLength {
        long of(int axis, long in);
    }

    /** The channel axis of a shape in this layer's data format. */
    final int channelAxis(long[] shape) { return channelsFirst ? 1 : shape.length - 1; }

    /** {@code in} with each spatial axis mapped by {@code length}, in this layer's data format. */
    final long[] spatialShape(long[] in, AxisLength length) {
        int first = channelsFirst ? 2 : 1;
        // Too few axes for the spatial ones: a damaged config used to fail here out of bounds. (tf.keras builds an
        // UpSampling3D on a rank-4 input, scaling the last axis too; that one has its axes and keeps working.)
        if (in.length < first + rank) {
            throw Configs.unsupported(spec, "a rank-" + in.length + " input " + java.util.Arrays.toString(in)
                    + " (the layer works on " + rank + " spatial axes after the batch" + (channelsFirst ? " and channel" : "") + " axis)");
        }
        long[] out = in.clone();
        for (int i = 0; i < rank; i++) out[first + i] = length.of(i, in[first + i]);
        return out;
    }

    /** The window along one spatial axis of a channels-last input of length {@code in} along it. */
    @FunctionalInterface
    interface AxisWindow {
        Window of(int axis, int in);
    }

    /** Depth, height and width windows of channels-last {@code x}; the axes a lower rank lacks are {@link Window#UNIT}. */
    final Window[] windows(NdArray x, AxisWindow window) {
        Window[] g = new Window[3];
        for (int axis = 0; axis < 3; axis++) {
            int i = axis - (3 - rank);
            g[axis] = i < 0 ? Window.UNIT : window.of(i, x.dim(1 + i));
        }
        return g;
    }

    /** The channels-last result {@code [n, out..., channels]} of a kernel that looped over {@code g}. */
    final NdArray channelsLast(float[] out, int n, Window[] g, int channels) {
        int[] shape = new int[rank + 2];
        shape[0] = n;
        for (int i = 0; i < rank; i++) shape[1 + i] = g[3 - rank + i].out();
        shape[rank + 1] = channels;
        return NdArray.wrap(out, shape);
    }

    /**
     * Where a window lands along one spatial axis: input and output length and the padding before the first element.
     * For a convolution or pooling, tap {@code k} of output {@code o} reads input {@link #source}; for a transposed
     * convolution, input {@code i} scatters to output {@link #source}{@code (i, k)} (the same relation, reversed).
     */
    record Window(int in, int out, int kernel, int stride, int dilation, int padBefore) {
        static final Window UNIT = new Window(1, 1, 1, 1, 1, 0);

        /** A convolution or pooling window: TensorFlow's rule for "same" (the odd pad goes after), Keras's for "causal". */
        static Window of(int in, int kernel, int stride, int dilation, String padding) {
            int effective = (kernel - 1) * dilation + 1;
            switch (padding) {
                case "valid": return new Window(in, Math.max(0, (in - effective) / stride + 1), kernel, stride, dilation, 0);
                case "causal": return new Window(in, (in + stride - 1) / stride, kernel, stride, dilation, effective - 1);
                case "same": {
                    int out = (in + stride - 1) / stride;
                    int total = Math.max((out - 1) * stride + effective - in, 0);
                    return new Window(in, out, kernel, stride, dilation, total / 2);
                }
                default: throw new IllegalArgumentException("padding '" + padding + "'");
            }
        }

        /** A window over the input zero-padded by {@code before} and {@code after} (explicit padding). */
        static Window padded(int in, int kernel, int stride, int dilation, int before, int after) {
            int effective = (kernel - 1) * dilation + 1;
            return new Window(in, Math.max(0, (in + before + after - effective) / stride + 1), kernel, stride, dilation, before);
        }

        /** A transposed convolution's window (no dilation): {@code in} and {@code out} are its input and output lengths. */
        static Window transposed(int in, int kernel, int stride, String padding) {
            int padBefore = padding.equals("same") ? Math.max(kernel - stride, 0) / 2 : 0;
            return new Window(in, (int) transposedLength(in, kernel, stride, padding), kernel, stride, 1, padBefore);
        }

        /** A gather that maps each output position to at most one input position: no kernel, no padding. */
        static Window gather(int in, long out) { return new Window(in, (int) out, 1, 1, 1, 0); }

        /** Output length of a convolution or pooling window along one axis, as Keras computes it (-1 unknown). */
        static long length(long in, int kernel, int stride, int dilation, String padding) {
            if (in < 0) return -1;
            long effective = (long) (kernel - 1) * dilation + 1;
            // causal pads (kernel-1)*dilation on the left, which gives the same length as "same".
            if (padding.equals("same") || padding.equals("causal")) return (in + stride - 1) / stride;
            return Math.max(0, (in - effective) / stride + 1);
        }

        /** Keras's conv-transpose length: a stride wider than the kernel leaves a gap after the last window too. */
        static long transposedLength(long in, int kernel, int stride, String padding) {
            if (in < 0) return -1;
            long stridden = in * stride;
            return padding.equals("same") ? stridden : stridden + Math.max(kernel - stride, 0);
        }

        /** Input index of window tap {@code k} for output {@code o}; may fall outside {@code [0, in)} (padding). */
        int source(int o, int k) { return o * stride - padBefore + k * dilation; }
    }
}
