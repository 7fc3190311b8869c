package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code BatchNormalization} (inference: moving statistics folded into one scale and shift per channel) and
 * {@code LayerNormalization} (statistics per sample over trailing axes, computed in double precision).
 */
final class NormalizationOp extends UnaryArrayOp implements io.keras4j.runtime.graph.FusibleOp {
    private final boolean batch;
    private final int[] axes;
    private final double epsilon;
    private final boolean hasGamma;
    private final boolean hasBeta;
    private final boolean rmsScaling;
    /** BatchNormalization: y = x * factor[c] + shift[c]. LayerNormalization: gamma and beta. */
    private final float[] factor;
    private final float[] shift;

    private NormalizationOp(LayerSpec spec, boolean batch) {
        super(spec);
        this.batch = batch;
        this.axes = Configs.axes(spec, "axis", -1);
        this.epsilon = Configs.real(spec, "epsilon", 1e-3);
        this.rmsScaling = !batch && Configs.flag(spec, "rms_scaling", false);
        // Keras 3's rms_scaling keeps gamma and drops beta whatever scale and center say.
        this.hasGamma = Configs.flag(spec, "scale", true) || rmsScaling;
        this.hasBeta = Configs.flag(spec, "center", true) && !rmsScaling;
        if (batch && axes.length != 1) throw Configs.unsupported(spec, "batch normalization over several axes");
        int i = 0;
        float[] gamma = hasGamma ? spec.floats(i++) : null;
        float[] beta = hasBeta ? spec.floats(i++) : null;
        if (batch && spec.hasWeights()) {
            float[] mean = spec.floats(i++), variance = spec.floats(i);
            // Read before the compiler checks shapes against the input: a damaged file's vectors must agree first.
            for (float[] v : new float[][] {gamma, beta, variance}) {
                if (v != null && v.length != mean.length) {
                    throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className()
                            + ") has weights of unequal lengths (" + v.length + " and " + mean.length + " channels): gamma,"
                            + " beta, moving mean and variance must have one value per channel");
                }
            }
            factor = new float[mean.length];
            shift = new float[mean.length];
            for (int c = 0; c < mean.length; c++) {
                double f = (gamma == null ? 1 : gamma[c]) / Math.sqrt(variance[c] + epsilon);
                factor[c] = (float) f;
                shift[c] = (float) ((beta == null ? 0 : beta[c]) - mean[c] * f);
            }
        } else {
            factor = gamma;
            shift = beta;
        }
    }

    static NormalizationOp batchNormalization(LayerSpec spec) { return new NormalizationOp(spec, true); }

    static NormalizationOp layerNormalization(LayerSpec spec) { return new NormalizationOp(spec, false); }

    @Override long[] outputShape(long[] in) { return in; }

    /** Inference BatchNormalization with weights is {@code x * factor + shift} along its axis. */
    @Override
    public float[][] asChannelAffine(int rank, int channelAxis) {
        if (!batch || !spec.hasWeights() || Shapes.axis(axes[0], rank) != channelAxis) return null;
        return new float[][] {factor, shift};
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = single(inputShapes);
        long[] param;
        if (axes.length == 1) {
            param = new long[] {in[Shapes.axis(axes[0], in.length)]};
        } else {
            param = new long[axes.length];
            for (int i = 0; i < axes.length; i++) param[i] = in[Shapes.axis(axes[i], in.length)];
        }
        List<long[]> shapes = new ArrayList<>();
        if (hasGamma) shapes.add(param);
        if (hasBeta) shapes.add(param);
        if (batch) {
            shapes.add(param);
            shapes.add(param);
        }
        return shapes;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        return batch ? batchNorm(in) : layerNorm(in);
    }

    private NdArray batchNorm(NdArray in) {
        int axis = Shapes.axis(axes[0], in.rank());
        int c = in.dim(axis), inner = in.stride(axis + 1);
        float[] x = in.data(), y = new float[x.length];
        for (int i = 0; i < x.length; i += c * inner) {
            for (int ch = 0; ch < c; ch++) {
                float f = factor[ch], s = shift[ch];
                int base = i + ch * inner;
                for (int j = 0; j < inner; j++) y[base + j] = x[base + j] * f + s;
            }
        }
        return NdArray.wrap(y, in.shape());
    }

    private NdArray layerNorm(NdArray in) {
        int first = in.rank();
        for (int a : axes) first = Math.min(first, Shapes.axis(a, in.rank()));
        if (first + axes.length != in.rank()) throw Configs.unsupported(spec, "layer normalization over non-trailing axes");
        int group = in.stride(first);
        float[] x = in.data(), y = new float[x.length];
        for (int g = 0; g < x.length; g += group) {
            double mean = 0;
            for (int j = 0; j < group; j++) mean += x[g + j];
            mean /= group;
            double var = 0;
            for (int j = 0; j < group; j++) var += (x[g + j] - mean) * (x[g + j] - mean);
            double inv = 1 / Math.sqrt(var / group + epsilon);
            // Keras 3's rms_scaling divides the uncentred inputs by the standard deviation, not by their RMS.
            double centre = rmsScaling ? 0 : mean;
            for (int j = 0; j < group; j++) {
                double v = (x[g + j] - centre) * inv;
                if (factor != null) v *= factor[j];
                if (shift != null) v += shift[j];
                y[g + j] = (float) v;
            }
        }
        return NdArray.wrap(y, in.shape());
    }
}
