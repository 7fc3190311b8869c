package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Conv1DTranspose}, {@code Conv2DTranspose} and {@code Conv3DTranspose} (the gradient of a convolution):
 * every input position scatters {@code x · W} into a window of the output. Keras's kernel is
 * {@code [k..., filters, c_in]}.
 */
final class ConvTransposeOp extends SpatialOp {
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int filters;
    private final boolean useBias;
    private final ActivationFunctions.Fn activation;
    private final float[] kernel;
    private final float[] bias;

    ConvTransposeOp(LayerSpec spec, int rank) {
        super(spec, rank);
        this.kernelSize = Configs.tuple(spec, "kernel_size", rank, 1);
        this.strides = Configs.tuple(spec, "strides", rank, 1);
        this.padding = Configs.padding(spec, "valid", "same");
        this.filters = Configs.requiredInt(spec, "filters");
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        for (int d : Configs.tuple(spec, "dilation_rate", rank, 1)) if (d != 1) throw Configs.unsupported(spec, "dilation_rate > 1");
        if (!spec.config().get("output_padding").isNull()) throw Configs.unsupported(spec, "output_padding");
    }

    @Override
    long[] outputShape(long[] in) {
        long[] out = spatialShape(in, (i, len) -> Window.transposedLength(len, kernelSize[i], strides[i], padding));
        out[channelAxis(in)] = filters;
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = single(inputShapes);
        long[] k = new long[rank + 2];
        for (int i = 0; i < rank; i++) k[i] = kernelSize[i];
        k[rank] = filters;
        k[rank + 1] = in[channelAxis(in)];
        List<long[]> shapes = new ArrayList<>(List.of(k));
        if (useBias) shapes.add(new long[] {filters});
        return shapes;
    }

    @Override
    NdArray forwardChannelsLast(NdArray xa, CallContext ctx) {
        float[] x = xa.data();
        int n = xa.dim(0), c = xa.dim(-1);
        Window[] g = windows(xa, (i, len) -> Window.transposed(len, kernelSize[i], strides[i], padding));
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in(), od = gz.out(), oh = gy.out(), ow = gx.out();
        int kd = gz.kernel(), kh = gy.kernel(), kw = gx.kernel();
        float[] out = new float[n * od * oh * ow * filters];
        ctx.parallelFor(n, (long) d * h * w * kd * kh * kw * c * filters, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int iz = 0; iz < d; iz++) {
                    for (int iy = 0; iy < h; iy++) {
                        for (int ix = 0; ix < w; ix++) {
                            int xi = (((b * d + iz) * h + iy) * w + ix) * c;
                            for (int kz = 0; kz < kd; kz++) {
                                int oz = gz.source(iz, kz);
                                if (oz < 0 || oz >= od) continue;
                                for (int ky = 0; ky < kh; ky++) {
                                    int oy = gy.source(iy, ky);
                                    if (oy < 0 || oy >= oh) continue;
                                    for (int kx = 0; kx < kw; kx++) {
                                        int ox = gx.source(ix, kx);
                                        if (ox < 0 || ox >= ow) continue;
                                        int o = (((b * od + oz) * oh + oy) * ow + ox) * filters;
                                        int window = ((kz * kh + ky) * kw + kx) * filters * c;
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
        return channelsLast(out, n, g, filters);
    }
}
