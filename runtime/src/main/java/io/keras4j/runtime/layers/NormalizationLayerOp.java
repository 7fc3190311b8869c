package io.keras4j.runtime.layers;

import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Normalization} preprocessing layer: {@code (x - mean) / max(sqrt(variance), 1e-7)} along
 * {@code axis} (or the inverse with {@code invert}). Statistics come from its adapted weights (mean, variance,
 * count) or, when given at construction, from the config.
 */
final class NormalizationLayerOp extends UnaryArrayOp {
    private static final double EPSILON = 1e-7;

    private final int[] axes;
    private final boolean invert;
    private final float[] mean;
    private final float[] std;

    NormalizationLayerOp(LayerSpec spec) {
        super(spec);
        this.axes = Configs.axes(spec, "axis", -1);
        this.invert = Configs.flag(spec, "invert", false);
        float[] m = spec.config().get("mean").isNull() ? spec.floats(0) : numbers(spec.config().get("mean"));
        float[] v = spec.config().get("variance").isNull() ? spec.floats(1) : numbers(spec.config().get("variance"));
        this.mean = m;
        if (v == null) {
            this.std = null;
        } else {
            this.std = new float[v.length];
            for (int i = 0; i < v.length; i++) std[i] = (float) Math.max(Math.sqrt(v[i]), EPSILON);
        }
    }

    private static float[] numbers(JsonValue v) {
        if (v instanceof JsonNumber n) return new float[] {(float) n.doubleValue()};
        List<JsonValue> items = v.asArray().values();
        float[] out = new float[items.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) ((JsonNumber) items.get(i)).doubleValue();
        return out;
    }

    @Override long[] outputShape(long[] in) { return in; }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        if (!spec.config().get("mean").isNull()) return List.of();
        long[] in = single(inputShapes);
        long[] kept = new long[axes.length];
        for (int i = 0; i < axes.length; i++) kept[i] = in[Shapes.axis(axes[i], in.length)];
        List<long[]> shapes = new ArrayList<>(List.of(kept, kept.clone()));
        shapes.add(new long[0]);
        return shapes;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        int[] shape = new int[in.rank()];
        java.util.Arrays.fill(shape, 1);
        for (int a : axes) shape[Shapes.axis(a, in.rank())] = in.dim(a);
        if (mean.length == 1) java.util.Arrays.fill(shape, 1);
        NdArray m = NdArray.wrap(mean, shape), s = NdArray.wrap(std, shape);
        if (invert) return Broadcast.apply(Broadcast.apply(in, s, (x, d) -> x * d), m, Float::sum);
        return Broadcast.apply(Broadcast.apply(in, m, (x, c) -> x - c), s, (x, d) -> x / d);
    }
}
