package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * {@code Dot}: a batched dot product contracting {@code axes[0]} of the first input with {@code axes[1]} of the
 * second; the output keeps the other axes of the first, then of the second (a rank-2 pair gives {@code [b, 1]}).
 * {@code normalize} L2-normalizes both along those axes first (cosine similarity).
 */
final class DotOp implements LayerOp {
    private final LayerSpec spec;
    private final int[] axes;
    private final boolean normalize;

    DotOp(LayerSpec spec) {
        this.spec = spec;
        int[] a = Configs.axes(spec, "axes", -1);
        this.axes = a.length == 1 ? new int[] {a[0], a[0]} : a;
        this.normalize = Configs.flag(spec, "normalize", false);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] x = in.get(0), y = in.get(1);
        int ax = Shapes.axis(axes[0], x.length), ay = Shapes.axis(axes[1], y.length);
        long[] out = new long[Math.max(2, x.length + y.length - 3)];
        int o = 0;
        out[o++] = x[0];
        for (int i = 1; i < x.length; i++) if (i != ax) out[o++] = x[i];
        for (int i = 1; i < y.length; i++) if (i != ay) out[o++] = y[i];
        if (o == 1) out[o] = 1;
        return List.of(out);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        NdArray x = inputs.get(0).array(), y = inputs.get(1).array();
        if (x.rank() > 3 || y.rank() > 3) throw Configs.unsupported(spec, "Dot of inputs with rank above 3");
        int ax = Shapes.axis(axes[0], x.rank()), ay = Shapes.axis(axes[1], y.rank());
        // x as [b, p, k] (contracted axis last), y as [b, k, q] (contracted axis first after the batch).
        NdArray xs = x.rank() == 3 && ax == 1 ? Transpose.permute(x, new int[] {0, 2, 1}) : x;
        NdArray ys = y.rank() == 3 && ay == 2 ? Transpose.permute(y, new int[] {0, 2, 1}) : y;
        int b = x.dim(0), k = x.dim(ax), p = x.size() / (b * k), q = y.size() / (b * k);
        float[] xv = normalize ? l2(xs.data(), b * p, k, 1) : xs.data();
        float[] yv = normalize ? l2(ys.data(), b, k, q) : ys.data();
        float[] out = new float[b * p * q];
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double s = 0;
                    for (int c = 0; c < k; c++) s += xv[(n * p + i) * k + c] * yv[(n * k + c) * q + j];
                    out[(n * p + i) * q + j] = (float) s;
                }
            }
        }
        long[] shape = outputShapes(List.of(longs(x.shape()), longs(y.shape()))).get(0);
        return List.of(Value.of(NdArray.wrap(out, java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray())));
    }

    /** L2-normalizes, in an {@code [outer, k, inner]} array, each of the {@code outer * inner} vectors along {@code k}. */
    private static float[] l2(float[] src, int outer, int k, int inner) {
        float[] dst = src.clone();
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double sum = 0;
                for (int c = 0; c < k; c++) sum += (double) src[(o * k + c) * inner + i] * src[(o * k + c) * inner + i];
                double inv = 1 / Math.sqrt(Math.max(sum, 1e-12));
                for (int c = 0; c < k; c++) dst[(o * k + c) * inner + i] = (float) (src[(o * k + c) * inner + i] * inv);
            }
        }
        return dst;
    }

    private static long[] longs(int[] s) { return java.util.Arrays.stream(s).asLongStream().toArray(); }
}
