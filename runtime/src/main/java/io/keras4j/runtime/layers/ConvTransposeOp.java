package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Conv1DTranspose}, {@code Conv2DTranspose} and {@code Conv3DTranspose} (the gradient of a convolution):
 * every input position scatters {@code x · W} into a window of the output. Keras's kernel is
 * {@code [k..., filters, c_in]}.
 */
final class ConvTransposeOp extends UnaryArrayOp {
    private final int rank;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final boolean channelsFirst;
    private final int filters;
    private final boolean useBias;
    private final ActivationFunctions.Fn activation;
    private final float[] kernel;
    private final float[] bias;

    ConvTransposeOp(LayerSpec spec, int rank) {
        super(spec);
        this.rank = rank;
        this.kernelSize = Configs.tuple(spec, "kernel_size", rank, 1);
        this.strides = Configs.tuple(spec, "strides", rank, 1);
        this.padding = Configs.string(spec, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        this.channelsFirst = Configs.channelsFirst(spec);
        this.filters = Configs.requiredInt(spec, "filters");
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        for (int d : Configs.tuple(spec, "dilation_rate", rank, 1)) if (d != 1) throw Configs.unsupported(spec, "dilation_rate > 1");
        if (!spec.config().get("output_padding").isNull()) throw Configs.unsupported(spec, "output_padding");
    }

    /** Keras's conv-transpose length: a stride wider than the kernel leaves a gap after the last window too. */
    private long outLength(long in, int axis) {
        if (in < 0) return -1;
        long stridden = in * strides[axis];
        return padding.equals("same") ? stridden : stridden + Math.max(kernelSize[axis] - strides[axis], 0);
    }

    private int padBefore(int axis) {
        return padding.equals("same") ? Math.max(kernelSize[axis] - strides[axis], 0) / 2 : 0;
    }

    @Override
    long[] outputShape(long[] in) {
        long[] out = in.clone();
        int first = channelsFirst ? 2 : 1;
        for (int i = 0; i < rank; i++) out[first + i] = outLength(in[first + i], i);
        out[channelsFirst ? 1 : in.length - 1] = filters;
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = single(inputShapes);
        long[] k = new long[rank + 2];
        for (int i = 0; i < rank; i++) k[i] = kernelSize[i];
        k[rank] = filters;
        k[rank + 1] = in[channelsFirst ? 1 : in.length - 1];
        List<long[]> shapes = new ArrayList<>(List.of(k));
        if (useBias) shapes.add(new long[] {filters});
        return shapes;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        NdArray xa = channelsFirst ? Transpose.toChannelsLast(in) : in;
        float[] x = xa.data();
        int n = xa.dim(0), c = xa.dim(-1);
        // Depth, height and width, with 1 for the axes a lower rank lacks.
        int[] dims = new int[3], outDims = new int[3], k = new int[3], s = new int[3], pad = new int[3];
        for (int axis = 0; axis < 3; axis++) {
            int i = axis - (3 - rank);
            dims[axis] = i < 0 ? 1 : xa.dim(1 + i);
            outDims[axis] = i < 0 ? 1 : (int) outLength(dims[axis], i);
            k[axis] = i < 0 ? 1 : kernelSize[i];
            s[axis] = i < 0 ? 1 : strides[i];
            pad[axis] = i < 0 ? 0 : padBefore(i);
        }
        int od = outDims[0], oh = outDims[1], ow = outDims[2];
        float[] out = new float[n * od * oh * ow * filters];
        ctx.parallelFor(n, (long) dims[0] * dims[1] * dims[2] * k[0] * k[1] * k[2] * c * filters, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int iz = 0; iz < dims[0]; iz++) {
                    for (int iy = 0; iy < dims[1]; iy++) {
                        for (int ix = 0; ix < dims[2]; ix++) {
                            int xi = (((b * dims[0] + iz) * dims[1] + iy) * dims[2] + ix) * c;
                            for (int kz = 0; kz < k[0]; kz++) {
                                int oz = iz * s[0] + kz - pad[0];
                                if (oz < 0 || oz >= od) continue;
                                for (int ky = 0; ky < k[1]; ky++) {
                                    int oy = iy * s[1] + ky - pad[1];
                                    if (oy < 0 || oy >= oh) continue;
                                    for (int kx = 0; kx < k[2]; kx++) {
                                        int ox = ix * s[2] + kx - pad[2];
                                        if (ox < 0 || ox >= ow) continue;
                                        int o = (((b * od + oz) * oh + oy) * ow + ox) * filters;
                                        int window = ((kz * k[1] + ky) * k[2] + kx) * filters * c;
                                        for (int f = 0; f < filters; f++) {
                                            float acc = 0;
                                            int kf = window + f * c;
                                            for (int ch = 0; ch < c; ch++) acc += x[xi + ch] * kernel[kf + ch];
                                            out[o + f] += acc;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        if (bias != null) for (int i = 0; i < out.length; i += filters) for (int f = 0; f < filters; f++) out[i + f] += bias[f];
        activation.applyInPlace(out, filters);
        int[] shape = new int[rank + 2];
        shape[0] = n;
        for (int i = 0; i < rank; i++) shape[1 + i] = outDims[3 - rank + i];
        shape[rank + 1] = filters;
        NdArray y = NdArray.wrap(out, shape);
        return channelsFirst ? Transpose.toChannelsFirst(y) : y;
    }

    @Override Mask outputMask(Value in) { return null; }
}
