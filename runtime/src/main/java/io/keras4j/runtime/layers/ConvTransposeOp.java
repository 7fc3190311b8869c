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
 * {@code Conv1DTranspose} and {@code Conv2DTranspose} (the gradient of a convolution): every input position
 * scatters {@code x · W} into a window of the output. Keras's kernel is {@code [k..., filters, c_in]}.
 */
final class ConvTransposeOp extends ArrayOp {
    private final int rank;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final boolean channelsFirst;
    private final int filters;
    private final boolean useBias;
    private final Activations.Fn activation;
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
        this.activation = Activations.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        for (int d : Configs.tuple(spec, "dilation_rate", rank, 1)) if (d != 1) throw Configs.unsupported(spec, "dilation_rate > 1");
        if (!spec.config().get("output_padding").isNull()) throw Configs.unsupported(spec, "output_padding");
    }

    private long outLength(long in, int axis) {
        if (in < 0) return -1;
        return padding.equals("same") ? in * strides[axis] : (in - 1) * strides[axis] + kernelSize[axis];
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
        int n = xa.dim(0), c = xa.dim(-1), h = rank == 2 ? xa.dim(1) : 1, w = xa.dim(rank == 2 ? 2 : 1);
        int kh = rank == 2 ? kernelSize[0] : 1, kw = kernelSize[rank - 1];
        int sh = rank == 2 ? strides[0] : 1, sw = strides[rank - 1];
        int ph = rank == 2 ? padBefore(0) : 0, pw = padBefore(rank - 1);
        int oh = rank == 2 ? (int) outLength(h, 0) : 1, ow = (int) outLength(w, rank - 1);
        float[] out = new float[n * oh * ow * filters];
        ctx.parallelFor(n, (long) h * w * kh * kw * c * filters, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        int xi = ((b * h + iy) * w + ix) * c;
                        for (int ky = 0; ky < kh; ky++) {
                            int oy = iy * sh + ky - ph;
                            if (oy < 0 || oy >= oh) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int ox = ix * sw + kx - pw;
                                if (ox < 0 || ox >= ow) continue;
                                int o = ((b * oh + oy) * ow + ox) * filters;
                                int k = (ky * kw + kx) * filters * c;
                                for (int f = 0; f < filters; f++) {
                                    float acc = 0;
                                    int kf = k + f * c;
                                    for (int ch = 0; ch < c; ch++) acc += x[xi + ch] * kernel[kf + ch];
                                    out[o + f] += acc;
                                }
                            }
                        }
                    }
                }
            }
        });
        if (bias != null) for (int i = 0; i < out.length; i += filters) for (int f = 0; f < filters; f++) out[i + f] += bias[f];
        activation.applyInPlace(out, filters);
        NdArray y = NdArray.wrap(out, rank == 2 ? new int[] {n, oh, ow, filters} : new int[] {n, ow, filters});
        return channelsFirst ? Transpose.toChannelsFirst(y) : y;
    }

    @Override Mask outputMask(Value in) { return null; }
}
