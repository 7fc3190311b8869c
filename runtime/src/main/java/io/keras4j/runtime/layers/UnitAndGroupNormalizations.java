package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/** {@code UnitNormalization} and {@code GroupNormalization}: normalizations by statistics of each sample. */
final class UnitAndGroupNormalizations {
    private UnitAndGroupNormalizations() {}

    /** {@code UnitNormalization}: each last-axis vector divided by its L2 norm (squared norm floored at 1e-12, as Keras). */
    static UnaryOp unitNormalization(LayerSpec spec) {
        int[] axes = Configs.axes(spec, "axis", -1);
        if (axes.length != 1 || axes[0] != -1) throw Configs.unsupported(spec, "unit normalization over other than the last axis");
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in; }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                int d = in.dim(-1);
                float[] x = in.data(), y = new float[x.length];
                for (int r = 0; r < x.length; r += d) {
                    double sum = 0;
                    for (int j = 0; j < d; j++) sum += (double) x[r + j] * x[r + j];
                    double inv = 1 / Math.sqrt(Math.max(sum, 1e-12));
                    for (int j = 0; j < d; j++) y[r + j] = (float) (x[r + j] * inv);
                }
                return NdArray.wrap(y, in.shape());
            }
        };
    }

    /** {@code GroupNormalization} over channels-last inputs: statistics per sample and channel group. */
    static UnaryOp groupNormalization(LayerSpec spec) {
        int groups = Configs.integer(spec, "groups", 32);
        double epsilon = Configs.real(spec, "epsilon", 1e-3);
        boolean center = Configs.flag(spec, "center", true), scale = Configs.flag(spec, "scale", true);
        int[] axes = Configs.axes(spec, "axis", -1);
        if (axes.length != 1 || axes[0] != -1) throw Configs.unsupported(spec, "group normalization over other than the last axis");
        float[] gamma = scale ? spec.floats(0) : null, beta = center ? spec.floats(scale ? 1 : 0) : null;
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in; }

            @Override public List<long[]> weightShapes(List<long[]> inputShapes) {
                long c = single(inputShapes)[single(inputShapes).length - 1];
                List<long[]> shapes = new ArrayList<>();
                if (scale) shapes.add(new long[] {c});
                if (center) shapes.add(new long[] {c});
                return shapes;
            }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                int c = in.dim(-1), per = c / groups, n = in.dim(0), steps = in.size() / (n * c);
                float[] x = in.data(), y = new float[x.length];
                for (int b = 0; b < n; b++) {
                    int base = b * steps * c;
                    for (int g = 0; g < groups; g++) {
                        double mean = 0, var = 0;
                        for (int s = 0; s < steps; s++) for (int j = 0; j < per; j++) mean += x[base + s * c + g * per + j];
                        mean /= (double) steps * per;
                        for (int s = 0; s < steps; s++) {
                            for (int j = 0; j < per; j++) {
                                double d = x[base + s * c + g * per + j] - mean;
                                var += d * d;
                            }
                        }
                        double inv = 1 / Math.sqrt(var / ((double) steps * per) + epsilon);
                        for (int s = 0; s < steps; s++) {
                            for (int j = 0; j < per; j++) {
                                int i = base + s * c + g * per + j, ch = g * per + j;
                                double v = (x[i] - mean) * inv;
                                if (gamma != null) v *= gamma[ch];
                                if (beta != null) v += beta[ch];
                                y[i] = (float) v;
                            }
                        }
                    }
                }
                return NdArray.wrap(y, in.shape());
            }
        };
    }
}
