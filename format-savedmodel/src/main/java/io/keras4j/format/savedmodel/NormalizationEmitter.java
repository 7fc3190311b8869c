package io.keras4j.format.savedmodel;

import static io.keras4j.format.savedmodel.LayerEmitter.unsupported;
import static io.keras4j.format.savedmodel.LayerEmitter.weight;

import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;
import java.util.function.Function;

/** {@code BatchNormalization} (inference) and {@code LayerNormalization}, as Keras's TensorFlow backend computes them. */
final class NormalizationEmitter {
    private final TfOps ops;
    private final Function<Weight, Tensor> read;

    NormalizationEmitter(TfOps ops, Function<Weight, Tensor> read) {
        this.ops = ops;
        this.read = read;
    }

    /** Inference: {@code (x - mean) * gamma / sqrt(var + eps) + beta}, folded into one multiply and one add. */
    Tensor batchNormalization(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Tensor x = call.input().value();
        int[] axes = axes(c, x.rank());
        if (axes.length != 1 || axes[0] != x.rank() - 1) throw unsupported(layer, "normalization over an axis other than the last");
        int i = 0;
        Tensor gamma = c.getBoolean("scale", true) ? read.apply(weight(layer, i++)) : null;
        Tensor beta = c.getBoolean("center", true) ? read.apply(weight(layer, i++)) : null;
        Tensor mean = read.apply(weight(layer, i++));
        Tensor variance = read.apply(weight(layer, i));
        Tensor eps = ops.scalar(n + "/epsilon", (float) c.getDouble("epsilon", 1e-3));
        Tensor inv = ops.unary("Rsqrt", n + "/Rsqrt", ops.add(n + "/add_eps", variance, eps));
        if (gamma != null) inv = ops.mul(n + "/scale", inv, gamma);
        Tensor scaledMean = ops.mul(n + "/mean_scaled", mean, inv);
        Tensor shift = ops.sub(n + "/shift", beta != null ? beta : ops.scalar(n + "/zero", 0f), scaledMean);
        return ops.add(n + "/add", ops.mul(n + "/mul", x, inv), shift).withShape(call.outputShape());
    }

    /**
     * Keras's {@code layer_normalization} over trailing axes: {@code tf.nn.moments} (mean, then the mean squared
     * difference), {@code inv = rsqrt(variance + epsilon) * gamma}, {@code x * inv + (beta - mean * inv)}.
     */
    Tensor layerNormalization(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Tensor x = call.input().value();
        int[] axes = axes(c, x.rank());
        Arrays.sort(axes);
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != x.rank() - axes.length + i) throw unsupported(layer, "layer normalization over non-trailing axes " + Arrays.toString(axes));
        }
        if (c.getBoolean("rms_scaling", false)) throw unsupported(layer, "rms_scaling=True");
        int i = 0;
        Tensor gamma = c.getBoolean("scale", true) ? read.apply(weight(layer, i++)) : null;
        Tensor beta = c.getBoolean("center", true) ? read.apply(weight(layer, i)) : null;
        Tensor mean = ops.reduce("Mean", n + "/mean", x, true, axes);
        Tensor variance = ops.reduce("Mean", n + "/variance", ops.binary("SquaredDifference", n + "/squared_difference", x, mean), true, axes);
        Tensor inv = ops.unary("Rsqrt", n + "/Rsqrt", ops.add(n + "/add_eps", variance,
                ops.scalar(n + "/epsilon", (float) c.getDouble("epsilon", 1e-3))));
        if (gamma != null) inv = ops.mul(n + "/scale", inv, gamma);
        Tensor shift = ops.unary("Neg", n + "/neg_mean_scaled", ops.mul(n + "/mean_scaled", mean, inv));
        if (beta != null) shift = ops.add(n + "/shift", shift, beta);
        return ops.add(n + "/add", ops.mul(n + "/mul", x, inv), shift).withShape(call.outputShape());
    }

    /** The config's {@code axis} (an int or a list), made non-negative. */
    private static int[] axes(JsonObject c, int rank) {
        JsonValue axis = c.get("axis");
        long[] raw = axis instanceof JsonArray a ? a.toLongs() : new long[] {c.getLong("axis", -1)};
        return Arrays.stream(raw).mapToInt(a -> (int) (a < 0 ? rank + a : a)).toArray();
    }
}
