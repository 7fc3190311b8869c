package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Conv1D/2D/3D} (strides, dilation, groups, padding valid/same/causal) and {@code DepthwiseConv1D/2D}.
 * Works channels-last on {@code [n, d, h, w, c]} ({@link SpatialOp}).
 *
 * <p>Regular convolutions gather one output row of patches (im2col) and multiply it with the kernel, which Keras
 * already stores as a {@code [kh * kw * c_in/groups, c_out]} matrix. Depthwise convolutions loop directly with the
 * channel axis innermost.
 */
final class ConvOp extends SpatialOp {
    private final boolean depthwise;
    private final int[] kernelSize;
    private final int[] strides;
    private final int[] dilation;
    private final String padding;
    private final int groups;
    private final int filters;
    private final int depthMultiplier;
    private final boolean useBias;
    private final ActivationFunctions.Fn activation;
    private final float[] kernel;
    private final float[] bias;

    private ConvOp(LayerSpec spec, int rank, boolean depthwise) {
        super(spec, rank);
        this.depthwise = depthwise;
        this.kernelSize = Configs.tuple(spec, "kernel_size", rank, 1);
        this.strides = Configs.tuple(spec, "strides", rank, 1);
        this.dilation = Configs.tuple(spec, "dilation_rate", rank, 1);
        this.padding = Configs.padding(spec, "valid", "same", "causal");
        this.groups = Configs.integer(spec, "groups", 1);
        this.filters = depthwise ? -1 : Configs.requiredInt(spec, "filters");
        this.depthMultiplier = depthwise ? Configs.integer(spec, "depth_multiplier", 1) : 1;
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        if (padding.equals("causal") && rank != 1) throw Configs.unsupported(spec, "causal padding in " + rank + "D");
        if (depthwise && rank > 2) throw Configs.unsupported(spec, "3D depthwise convolution");
    }

    static ConvOp conv(LayerSpec spec, int rank) { return new ConvOp(spec, rank, false); }

    static ConvOp depthwise(LayerSpec spec, int rank) { return new ConvOp(spec, rank, true); }

    private long outChannels(long inChannels) { return depthwise ? (inChannels < 0 ? -1 : inChannels * depthMultiplier) : filters; }

    @Override
    long[] outputShape(long[] in) {
        long[] out = spatialShape(in, (i, len) -> Window.length(len, kernelSize[i], strides[i], dilation[i], padding));
        int channelAxis = channelAxis(in);
        out[channelAxis] = outChannels(in[channelAxis]);
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = single(inputShapes);
        long channels = in[channelAxis(in)];
        long[] k = new long[rank + 2];
        for (int i = 0; i < rank; i++) k[i] = kernelSize[i];
        k[rank] = depthwise ? channels : channels < 0 ? -1 : channels / groups;
        k[rank + 1] = depthwise ? depthMultiplier : filters;
        List<long[]> shapes = new ArrayList<>(List.of(k));
        if (useBias) shapes.add(new long[] {outChannels(channels)});
        return shapes;
    }

    @Override
    NdArray forwardChannelsLast(NdArray x, CallContext ctx) {
        int n = x.dim(0), c = x.dim(-1);
        Window[] g = windows(x, (i, len) -> Window.of(len, kernelSize[i], strides[i], dilation[i], padding));
        int cout = (int) outChannels(c);
        float[] out = new float[n * g[0].out() * g[1].out() * g[2].out() * cout];
        if (depthwise) depthwise(x.data(), n, c, g[1], g[2], out, ctx);
        else regular(x.data(), n, c, g, cout, out, ctx);
        if (bias != null) {
            for (int i = 0; i < out.length; i += cout) for (int j = 0; j < cout; j++) out[i + j] += bias[j];
        }
        activation.applyInPlace(out, cout);
        return channelsLast(out, n, g, cout);
    }

    private void regular(float[] x, int n, int c, Window[] g, int cout, float[] out, CallContext ctx) {
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in();
        int kd = gz.kernel(), kh = gy.kernel(), kw = gx.kernel(), cg = c / groups, coutG = cout / groups;
        int patchLen = kd * kh * kw * cg;
        int ow = gx.out();
        boolean pointwise = kd == 1 && kh == 1 && kw == 1 && gz.stride() == 1 && gy.stride() == 1 && gx.stride() == 1
                && groups == 1;
        if (pointwise) {
            // A 1x1 convolution is one matmul over all pixels: no patches needed.
            int rows = n * d * h * w;
            ctx.parallelFor(rows, (long) c * cout, (from, to) ->
                    Gemm.multiplyAdd(to - from, cout, c, x, from * c, c, kernel, 0, cout, out, from * cout, cout));
            return;
        }
        int planes = gz.out() * gy.out();
        ctx.parallelFor(n * planes, (long) ow * patchLen * cout, (from, to) -> {
            float[] patches = new float[ow * patchLen];
            for (int row = from; row < to; row++) {
                int b = row / planes, oz = row % planes / gy.out(), oy = row % gy.out();
                for (int grp = 0; grp < groups; grp++) {
                    java.util.Arrays.fill(patches, 0f);
                    for (int ox = 0; ox < ow; ox++) {
                        int dst = ox * patchLen;
                        for (int kz = 0; kz < kd; kz++) {
                            int iz = gz.source(oz, kz);
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = gy.source(oy, ky);
                                if (iz < 0 || iz >= d || iy < 0 || iy >= h) { dst += kw * cg; continue; }
                                for (int kx = 0; kx < kw; kx++, dst += cg) {
                                    int ix = gx.source(ox, kx);
                                    if (ix < 0 || ix >= w) continue;
                                    System.arraycopy(x, (((b * d + iz) * h + iy) * w + ix) * c + grp * cg, patches, dst, cg);
                                }
                            }
                        }
                    }
                    Gemm.multiplyAdd(ow, coutG, patchLen, patches, 0, patchLen, kernel, grp * coutG, cout,
                            out, row * ow * cout + grp * coutG, cout);
                }
            }
        });
    }

    private void depthwise(float[] x, int n, int c, Window gy, Window gx, float[] out, CallContext ctx) {
        int h = gy.in(), w = gx.in();
        int kh = gy.kernel(), kw = gx.kernel(), dm = depthMultiplier, cout = c * dm, ow = gx.out();
        ctx.parallelFor(n * gy.out(), (long) ow * kh * kw * cout, (from, to) -> {
            for (int row = from; row < to; row++) {
                int b = row / gy.out(), oy = row % gy.out();
                for (int ox = 0; ox < ow; ox++) {
                    int o = (row * ow + ox) * cout;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = gy.source(oy, ky);
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = gx.source(ox, kx);
                            if (ix < 0 || ix >= w) continue;
                            int xi = ((b * h + iy) * w + ix) * c;
                            int ki = (ky * kw + kx) * cout;
                            if (dm == 1) {
                                for (int ch = 0; ch < c; ch++) out[o + ch] += x[xi + ch] * kernel[ki + ch];
                            } else {
                                for (int ch = 0; ch < c; ch++) {
                                    float v = x[xi + ch];
                                    for (int m = 0; m < dm; m++) out[o + ch * dm + m] += v * kernel[ki + ch * dm + m];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

}
