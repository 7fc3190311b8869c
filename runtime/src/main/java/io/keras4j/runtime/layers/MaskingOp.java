package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/** {@code Masking}: a step whose features all equal {@code mask_value} is masked and zeroed. */
final class MaskingOp extends UnaryOp {
    private final float maskValue;

    MaskingOp(LayerSpec spec) {
        super(spec);
        this.maskValue = maskValue(spec);
    }

    /** A number, or (Keras 3.8) a serialized one-value tensor {@code {"class_name": "__tensor__", "config": {"value": [0.0]}}}. */
    private static float maskValue(LayerSpec spec) {
        io.keras4j.json.JsonValue v = spec.config().get("mask_value");
        if (v.isObject() && "__tensor__".equals(v.asObject().getString("class_name", ""))) {
            io.keras4j.json.JsonValue value = v.asObject().getObject("config").get("value");
            if (value.isArray() && value.asArray().size() == 1) value = value.asArray().get(0);
            if (value instanceof io.keras4j.json.JsonNumber n) return (float) n.doubleValue();
            throw Configs.unsupported(spec, "a mask_value tensor other than one number (" + v.toJson() + ")");
        }
        return (float) Configs.real(spec, "mask_value", 0.0);
    }

    @Override long[] outputShape(long[] in) { return in; }

    @Override
    Value apply(Value input, CallContext ctx) {
        NdArray x = input.array();
        int features = x.dim(-1), steps = x.size() / features;
        float[] in = x.data(), out = new float[in.length];
        boolean[] keep = new boolean[steps];
        for (int s = 0; s < steps; s++) {
            int base = s * features;
            for (int j = 0; j < features && !keep[s]; j++) keep[s] = in[base + j] != maskValue;
            if (keep[s]) System.arraycopy(in, base, out, base, features);
        }
        int[] maskShape = java.util.Arrays.copyOf(x.shape(), x.rank() - 1);
        return new Value(NdArray.wrap(out, x.shape()), new Mask(keep, maskShape));
    }

}
