package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;
import java.util.function.Function;

/**
 * {@code BatchNormalization} (inference), {@code LayerNormalization}, {@code GroupNormalization},
 * {@code UnitNormalization} and the
 * {@code Normalization} preprocessing layer, as Keras's TensorFlow backend computes them.
 */
final class NormalizationEmitter extends WeightedEmitter {
    NormalizationEmitter(TfOps ops, Function<Weight, Tensor> read) {
        super(ops, read);
    }

    /** Inference: {@code (x - mean) * gamma / sqrt(var + eps) + beta}, folded into one multiply and one add. */
    Tensor batchNormalization(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Tensor x = call.input().value();
        requireLastAxis(layer, x.rank(), "normalization over an axis other than the last");
        int i = 0;
        Tensor gamma = c.getBoolean("scale", true) ? read(layer, i++) : null;
        Tensor beta = c.getBoolean("center", true) ? read(layer, i++) : null;
        Tensor mean = read(layer, i++);
        Tensor variance = read(layer, i);
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
        Tensor gamma = c.getBoolean("scale", true) ? read(layer, i++) : null;
        Tensor beta = c.getBoolean("center", true) ? read(layer, i) : null;
        return normalized(n, x, axes, c.getDouble("epsilon", 1e-3), gamma, beta).withShape(call.outputShape());
    }

    /**
     * {@code tf.nn.moments} over {@code axes} (the mean, then the mean squared difference), {@code inv =
     * rsqrt(variance + epsilon) * gamma}, then {@code x * inv + (beta - mean * inv)}; gamma and beta may be absent.
     */
    private Tensor normalized(String n, Tensor x, int[] axes, double epsilon, Tensor gamma, Tensor beta) {
        Tensor mean = ops.reduce("Mean", n + "/mean", x, true, axes);
        Tensor variance = ops.reduce("Mean", n + "/variance", ops.binary("SquaredDifference", n + "/squared_difference", x, mean), true, axes);
        Tensor inv = ops.unary("Rsqrt", n + "/Rsqrt", ops.add(n + "/add_eps", variance, ops.scalar(n + "/epsilon", (float) epsilon)));
        if (gamma != null) inv = ops.mul(n + "/scale", inv, gamma);
        Tensor shift = ops.unary("Neg", n + "/neg_mean_scaled", ops.mul(n + "/mean_scaled", mean, inv));
        if (beta != null) shift = ops.add(n + "/shift", shift, beta);
        return ops.add(n + "/add", ops.mul(n + "/mul", x, inv), shift);
    }

    /**
     * Keras's {@code GroupNormalization} over the last axis: channels reshaped to {@code [groups, channels / groups]},
     * moments per sample and group, {@code inv = rsqrt(variance + epsilon) * gamma},
     * {@code x * inv + (beta - mean * inv)}, reshaped back.
     */
    Tensor groupNormalization(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Tensor x = call.input().value();
        int rank = x.rank();
        requireLastAxis(layer, rank, "group normalization over other than the last axis");
        if (call.dialect() != Dialect.KERAS3 && call.maskArgument(0) != null) {
            throw unsupported(layer, "a masked input (tf.keras weights the group statistics by the mask)");
        }
        int groups = c.getInt("groups", 32);
        long channels = x.dim(-1);
        if (channels < 0) throw unsupported(layer, "an unknown number of channels");
        long[] groupShape = {groups, channels / groups};
        Tensor grouped = ops.reshapeLeading(n + "/groups", x, x, rank - 1, groupShape);
        int[] reduced = java.util.stream.IntStream.rangeClosed(1, rank).filter(a -> a != rank - 1).toArray();
        int i = 0;
        Tensor gamma = c.getBoolean("scale", true) ? ops.reshape(n + "/gamma", read(layer, i++), groupShape) : null;
        Tensor beta = c.getBoolean("center", true) ? ops.reshape(n + "/beta", read(layer, i), groupShape) : null;
        Tensor y = normalized(n, grouped, reduced, c.getDouble("epsilon", 1e-3), gamma, beta);
        return ops.reshapeLeading(n + "/ungroup", y, x, rank - 1, new long[] {channels}).withShape(call.outputShape());
    }

    /**
     * The {@code Normalization} preprocessing layer: {@code (x - mean) / max(sqrt(variance), 1e-7)}, or with
     * {@code invert} {@code mean + x * max(sqrt(variance), 1e-7)}; statistics from the config or the adapted
     * weights, shaped to broadcast over the kept axes.
     */
    Tensor preprocessingNormalization(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Tensor x = ops.cast(n + "/Cast", call.input().value(), DataType.DT_FLOAT);
        int[] kept = c.get("axis").isNull() ? new int[0] : axes(c, x.rank());
        long[] broadcast = new long[x.rank()];
        Arrays.fill(broadcast, 1);
        for (int axis : kept) {
            if (x.dim(axis) < 0) throw unsupported(layer, "normalizing over axis " + axis + " of unknown size");
            broadcast[axis] = x.dim(axis);
        }
        Tensor mean = statistic(layer, "mean", 0, broadcast);
        Tensor variance = statistic(layer, "variance", 1, broadcast);
        Tensor std = ops.binary("Maximum", n + "/std", ops.unary("Sqrt", n + "/Sqrt", variance), ops.scalar(n + "/epsilon", 1e-7f));
        Tensor y = c.getBoolean("invert", false) ? ops.add(n + "/add", mean, ops.mul(n + "/mul", x, std))
                : ops.div(n + "/truediv", ops.sub(n + "/sub", x, mean), std);
        return y.withShape(call.outputShape());
    }

    /** {@code mean} or {@code variance}: a number or list in the config, else the adapted weight. */
    private Tensor statistic(Layer layer, String key, int weightIndex, long[] broadcast) {
        String n = layer.name() + "/" + key;
        JsonValue v = layer.config().get(key);
        if (v.isNull()) return ops.reshape(n, read(layer, weightIndex), broadcast);
        float[] values = v instanceof JsonArray a ? toFloats(a) : new float[] {(float) ((JsonNumber) v).doubleValue()};
        long[] shape = values.length == 1 ? new long[0] : broadcast;
        return ops.function().constFloat(n, shape, values);
    }

    private static float[] toFloats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) ((JsonNumber) a.get(i)).doubleValue();
        return out;
    }

    /** {@code UnitNormalization}: each vector over {@code axis} scaled to unit L2 norm. */
    Tensor unitNormalization(LayerCall call) {
        Tensor x = call.input().value();
        return l2Normalize(call.name(), x, axes(call.config(), x.rank()), call.dialect(), 1e-12).withShape(call.outputShape());
    }

    /**
     * {@code x / ||x||} over {@code axes}: Keras 3's {@code ops.normalize} ({@code x * min(rsqrt(sum(x^2)), 1 / epsilon)}),
     * tf.keras's {@code tf.math.l2_normalize} ({@code x * rsqrt(max(sum(x^2), 1e-12))}).
     */
    Tensor l2Normalize(String n, Tensor x, int[] axes, Dialect dialect, double keras3Epsilon) {
        Tensor squareSum = ops.reduce("Sum", n + "/square_sum", ops.unary("Square", n + "/Square", x), true, axes);
        Tensor inverseNorm = dialect == Dialect.KERAS3
                ? ops.binary("Minimum", n + "/inverse_norm", ops.unary("Rsqrt", n + "/Rsqrt", squareSum), ops.scalar(n + "/max", (float) (1 / keras3Epsilon)))
                : ops.unary("Rsqrt", n + "/inverse_norm", ops.binary("Maximum", n + "/clipped", squareSum, ops.scalar(n + "/epsilon", 1e-12f)));
        return ops.mul(n + "/normalized", x, inverseNorm);
    }

    /** The config's {@code axis} (an int or a list), made non-negative. */
    /** Refuses ({@code refusal}) a layer whose config normalizes over other than the last of {@code rank} axes. */
    private static void requireLastAxis(Layer layer, int rank, String refusal) {
        int[] axes = axes(layer.config(), rank);
        if (axes.length != 1 || axes[0] != rank - 1) throw unsupported(layer, refusal);
    }

    private static int[] axes(JsonObject c, int rank) {
        JsonValue axis = c.get("axis");
        long[] raw = axis instanceof JsonArray a ? a.toLongs() : new long[] {c.getLong("axis", -1)};
        return Arrays.stream(raw).mapToInt(a -> (int) (a < 0 ? rank + a : a)).toArray();
    }
}
