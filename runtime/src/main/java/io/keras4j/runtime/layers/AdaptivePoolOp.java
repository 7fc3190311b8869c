package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * Keras 3's {@code AdaptiveAverage/MaxPooling1D/2D/3D}: the spatial axes pooled to {@code output_size}. Output index
 * {@code i} of an axis of length {@code L} pools from {@code floor(i * L / out)} over Keras's window: {@code ceil(L / out)}
 * steps, or one more where {@code ceil((i + 1) * L / out)} lies that far (Keras's two-pool gather).
 */
final class AdaptivePoolOp extends UnaryOp {
    private final int rank;
    private final boolean max;
    private final boolean channelsFirst;
    private final int[] outputSize;
    /**
     * Keras's TensorFlow backend picks the kernel by the input's rank, not the layer's: a 2D or 3D layer given a
     * rank-3 input pools it as AdaptivePooling1D with {@code output_size[0]}.
     */
    private final AdaptivePoolOp onRank3;

    AdaptivePoolOp(LayerSpec spec, int rank, boolean max) {
        super(spec);
        this.rank = rank;
        this.max = max;
        this.channelsFirst = Configs.channelsFirst(spec);
        outputSize = Configs.tuple(spec, "output_size", rank, -1);
        for (int v : outputSize) {
            if (v <= 0) {
                throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + "): output_size "
                        + java.util.Arrays.toString(outputSize) + " is not a positive size");
            }
        }
        this.onRank3 = rank == 1 ? null
                : new AdaptivePoolOp(spec.derived(spec.className(), spec.config().with("output_size", outputSize[0]), spec.weights()), 1, max);
    }

    @Override
    long[] outputShape(long[] in) {
        if (onRank3 != null && in.length == 3) return onRank3.outputShape(in);
        if (in.length != rank + 2) {
            throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + ") pools inputs of rank "
                    + (rank + 2) + " (batch, " + rank + " spatial axes, channels); got shape " + java.util.Arrays.toString(in).replace("-1", "None"));
        }
        long[] out = in.clone();
        for (int a = 0; a < rank; a++) out[channelsFirst ? 2 + a : 1 + a] = outputSize[a];
        return out;
    }

    @Override
    Value apply(Value input, CallContext ctx) {
        if (onRank3 != null && input.array().rank() == 3) return onRank3.apply(input, ctx);
        NdArray x = input.array();
        int[] shape = x.shape();
        int n = shape[0], c = channelsFirst ? shape[1] : shape[shape.length - 1];
        int[] lengths = new int[rank];
        for (int a = 0; a < rank; a++) lengths[a] = shape[channelsFirst ? 2 + a : 1 + a];
        // Per axis and output index: the window [start, start + size).
        int[][] starts = new int[rank][], sizes = new int[rank][];
        for (int a = 0; a < rank; a++) {
            int len = lengths[a], out = outputSize[a];
            int small = (len + out - 1) / out, big = small + 1;
            starts[a] = new int[out];
            sizes[a] = new int[out];
            for (int i = 0; i < out; i++) {
                int start = Math.min((int) ((long) i * len / out), len - 1);
                int end = Math.min((int) (((long) (i + 1) * len + out - 1) / out), len);
                starts[a][i] = start;
                sizes[a][i] = Math.min(end - start == big ? big : small, len - start);
            }
        }
        int outSpatial = 1, inSpatial = 1;
        for (int a = 0; a < rank; a++) { outSpatial *= outputSize[a]; inSpatial *= lengths[a]; }
        float[] data = x.data();
        float[] result = new float[n * outSpatial * c];
        int[] outIndex = new int[rank], inIndex = new int[rank];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outSpatial; o++) {
                for (int a = rank - 1, r = o; a >= 0; a--) { outIndex[a] = r % outputSize[a]; r /= outputSize[a]; }
                int window = 1;
                for (int a = 0; a < rank; a++) window *= sizes[a][outIndex[a]];
                for (int ch = 0; ch < c; ch++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int w = 0; w < window; w++) {
                        int flat = 0;
                        for (int a = rank - 1, r = w; a >= 0; a--) {
                            int s = sizes[a][outIndex[a]];
                            inIndex[a] = starts[a][outIndex[a]] + r % s;
                            r /= s;
                        }
                        for (int a = 0; a < rank; a++) flat = flat * lengths[a] + inIndex[a];
                        float v = channelsFirst ? data[(b * c + ch) * inSpatial + flat] : data[(b * inSpatial + flat) * c + ch];
                        acc = max ? Math.max(acc, v) : acc + v;
                    }
                    float value = (float) (max ? acc : acc / window);
                    if (channelsFirst) result[(b * c + ch) * outSpatial + o] = value;
                    else result[(b * outSpatial + o) * c + ch] = value;
                }
            }
        }
        int[] outShape = shape.clone();
        for (int a = 0; a < rank; a++) outShape[channelsFirst ? 2 + a : 1 + a] = outputSize[a];
        return Value.of(NdArray.wrap(result, outShape));
    }
}
