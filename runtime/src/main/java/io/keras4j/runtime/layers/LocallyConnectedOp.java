package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * tf.keras's {@code LocallyConnected1D/2D} ({@code implementation=1}, {@code padding="valid"}): a convolution whose
 * weights differ per output position. As tf.keras's {@code backend.local_conv}: the kernel is
 * {@code [positions, patch, filters]}, the patch flattened in the input's memory order ({@code (k..., channels)}
 * channels-last, {@code (channels, k...)} channels-first); the bias is added after {@code backend.bias_add}'s
 * <em>reshape</em> of it to the output layout, so it lines up with the output's flat order in both formats.
 */
final class LocallyConnectedOp extends UnaryArrayOp {
    private final int rank;
    private final int filters;
    private final int[] kernel;
    private final int[] strides;
    private final boolean channelsFirst;
    private final boolean useBias;
    private final ActivationFunctions.Fn activation;

    LocallyConnectedOp(LayerSpec spec, int rank) {
        super(spec);
        this.rank = rank;
        this.filters = Configs.requiredInt(spec, "filters");
        this.kernel = Configs.tuple(spec, "kernel_size", rank, 1);
        this.strides = Configs.tuple(spec, "strides", rank, 1);
        this.channelsFirst = Configs.channelsFirst(spec);
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        Configs.padding(spec, "valid");
        int implementation = Configs.integer(spec, "implementation", 1);
        if (implementation != 1) throw Configs.unsupported(spec, "implementation=" + implementation);
    }

    private int firstSpatial() { return channelsFirst ? 2 : 1; }

    private long outLength(int axis, long in) { return in < 0 ? -1 : (in - kernel[axis]) / strides[axis] + 1; }

    @Override long[] outputShape(long[] in) {
        if (in.length != rank + 2) {
            throw Configs.unsupported(spec, "inputs of rank " + in.length + " (takes batch, " + rank + " spatial axes and channels)");
        }
        long[] out = in.clone();
        for (int a = 0; a < rank; a++) out[firstSpatial() + a] = outLength(a, in[firstSpatial() + a]);
        out[channelsFirst ? 1 : in.length - 1] = filters;
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0), out = outputShape(in);
        long positions = 1, patch = in[channelsFirst ? 1 : in.length - 1];
        long[] bias = new long[rank + 1];
        for (int a = 0; a < rank; a++) {
            positions *= out[firstSpatial() + a];
            patch *= kernel[a];
            bias[a] = out[firstSpatial() + a];
        }
        bias[rank] = filters;
        long[] kernelShape = {positions, patch, filters};
        return useBias ? List.of(kernelShape, bias) : List.of(kernelShape);
    }

    @Override Mask outputMask(Value in) { return null; }

    @Override NdArray forward(NdArray x, CallContext ctx) {
        int n = x.dim(0), channels = x.dim(channelsFirst ? 1 : -1);
        int[] inLen = new int[2], outLen = new int[2], k = new int[2], s = new int[2];
        java.util.Arrays.fill(inLen, 1);
        java.util.Arrays.fill(outLen, 1);
        java.util.Arrays.fill(k, 1);
        java.util.Arrays.fill(s, 1);
        for (int a = 0; a < rank; a++) {
            int d = 2 - rank + a;
            inLen[d] = x.dim(firstSpatial() + a);
            outLen[d] = (int) outLength(a, inLen[d]);
            k[d] = kernel[a];
            s[d] = strides[a];
            if (outLen[d] <= 0) {
                throw new EmptyOutputException(Configs.bad(spec, "kernel_size", kernel[a] + " exceeds the " + inLen[d]
                        + " steps of spatial axis " + (a + 1)).getMessage());
            }
        }
        int positions = outLen[0] * outLen[1], patch = channels * k[0] * k[1], inSize = channels * inLen[0] * inLen[1];
        float[] w = spec.floats(0), bias = useBias ? spec.floats(1) : null, src = x.data();
        float[] out = new float[n * positions * filters];
        float[] gathered = new float[patch];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < outLen[0]; oy++) {
                for (int ox = 0; ox < outLen[1]; ox++) {
                    int pos = oy * outLen[1] + ox, p = 0;
                    // The patch in the input's memory order.
                    if (channelsFirst) {
                        for (int c = 0; c < channels; c++)
                            for (int ky = 0; ky < k[0]; ky++)
                                for (int kx = 0; kx < k[1]; kx++)
                                    gathered[p++] = src[b * inSize + (c * inLen[0] + oy * s[0] + ky) * inLen[1] + ox * s[1] + kx];
                    } else {
                        for (int ky = 0; ky < k[0]; ky++)
                            for (int kx = 0; kx < k[1]; kx++)
                                for (int c = 0; c < channels; c++)
                                    gathered[p++] = src[b * inSize + ((oy * s[0] + ky) * inLen[1] + ox * s[1] + kx) * channels + c];
                    }
                    for (int f = 0; f < filters; f++) {
                        float acc = 0f;
                        for (int q = 0; q < patch; q++) acc += gathered[q] * w[(pos * patch + q) * filters + f];
                        int at = channelsFirst ? f * positions + pos : pos * filters + f;
                        out[b * positions * filters + at] = acc + (bias == null ? 0f : bias[at]);
                    }
                }
            }
        }
        int[] shape = x.shape();
        for (int a = 0; a < rank; a++) shape[firstSpatial() + a] = outLen[2 - rank + a];
        shape[channelsFirst ? 1 : shape.length - 1] = filters;
        activation.applyInPlace(out, shape[shape.length - 1]);
        return NdArray.wrap(out, shape);
    }
}
