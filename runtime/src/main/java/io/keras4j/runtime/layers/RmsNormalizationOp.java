package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * Keras 3's {@code RMSNormalization}: {@code x * rsqrt(mean(x^2 over axis) + epsilon) * scale}, over trailing axes
 * (Keras sorts {@code axis}; the scale has their shape). The layer does not support masking, so the mask ends.
 */
final class RmsNormalizationOp extends UnaryArrayOp {
    private final int[] axes;
    private final double epsilon;
    private final float[] scale;

    RmsNormalizationOp(LayerSpec spec) {
        super(spec);
        int[] a = Configs.axes(spec, "axis", -1);
        this.axes = a.clone();
        this.epsilon = Configs.real(spec, "epsilon", 1e-6);
        this.scale = spec.floats(0);
    }

    /** The number of trailing axes normalized together; refuses axes that are not a trailing block. */
    private int trailing(int rank) {
        int[] normalized = new int[axes.length];
        for (int i = 0; i < axes.length; i++) normalized[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        java.util.Arrays.sort(normalized);
        for (int i = 0; i < normalized.length; i++) {
            if (normalized[i] != rank - normalized.length + i || normalized[i] <= 0) {
                throw Configs.unsupported(spec, "RMS normalization over axes " + java.util.Arrays.toString(axes)
                        + " of a rank-" + rank + " input (only trailing axes after the batch)");
            }
        }
        return normalized.length;
    }

    @Override long[] outputShape(long[] in) {
        trailing(in.length);
        return in.clone();
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0);
        int n = trailing(in.length);
        return List.of(java.util.Arrays.copyOfRange(in, in.length - n, in.length));
    }

    @Override Mask outputMask(Value in) { return null; }

    @Override NdArray forward(NdArray x, CallContext ctx) {
        int n = trailing(x.rank()), group = 1;
        for (int i = x.rank() - n; i < x.rank(); i++) group *= x.dim(i);
        if (scale.length != group) {
            throw Configs.bad(spec, "axis", "normalizes groups of " + group + " values but the scale has " + scale.length);
        }
        float[] src = x.data(), out = new float[src.length];
        for (int g = 0; g < src.length; g += group) {
            // float32 as TensorFlow computes: the mean of squares, then rsqrt of it plus epsilon.
            float sum = 0f;
            for (int j = 0; j < group; j++) sum += src[g + j] * src[g + j];
            float inv = (float) (1.0 / Math.sqrt((float) (sum / group) + (float) epsilon));
            for (int j = 0; j < group; j++) out[g + j] = src[g + j] * inv * scale[j];
        }
        return NdArray.wrap(out, x.shape());
    }
}
