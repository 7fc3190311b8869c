package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;

/** The {@code glu} activation: the last axis splits in halves {@code a, b}; the result is {@code a * sigmoid(b)}. */
final class GluOp extends UnaryArrayOp {
    GluOp(LayerSpec spec) { super(spec); }

    @Override long[] outputShape(long[] in) { return Shapes.withLast(in, in[in.length - 1] < 0 ? -1 : in[in.length - 1] / 2); }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        int last = in.dim(-1), half = last / 2, rows = in.size() / last;
        float[] x = in.data(), y = new float[rows * half];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < half; j++) {
                y[r * half + j] = (float) (x[r * last + j] * ActivationFunctions.sigmoid(x[r * last + half + j]));
            }
        }
        int[] shape = in.shape();
        shape[shape.length - 1] = half;
        return NdArray.wrap(y, shape);
    }
}
