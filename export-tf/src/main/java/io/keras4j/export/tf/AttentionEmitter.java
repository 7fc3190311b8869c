package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.function.Function;

/**
 * Attention layers over {@code [batch, steps, dim]} inputs, called as {@code (query, value[, key])}.
 *
 * <p>{@code MultiHeadAttention} with the default attention axes, as Keras computes it: the query, key and value
 * projections (Keras's EinsumDense {@code abc,cde->abde} as a MatMul over {@code [dim, heads * key_dim]}), the
 * query scaled by {@code 1 / sqrt(key_dim)}, scores {@code q @ k^T} per head, a softmax over the keys, the context
 * {@code scores @ v} and the output projection. Query and value (and key) masks, which MultiHeadAttention reads
 * from its inputs, and {@code use_causal_mask} restrict the attention as in Keras.
 *
 * <p>{@code Attention} and {@code AdditiveAttention}, masked by their mask arguments.
 */
final class AttentionEmitter extends WeightedEmitter {
    /** What Keras puts in the scores of masked positions before the softmax. */
    private static final float MASKED = -1e9f;

    AttentionEmitter(TfOps ops, Function<Weight, Tensor> read) {
        super(ops, read);
    }

    /** {@code MultiHeadAttention}; the output keeps the query's mask. */
    KerasTensor multiHeadAttention(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        checkSupported(call);
        int heads = c.getInt("num_heads", 0);
        int keyDim = c.getInt("key_dim", 0);
        int valueDim = c.get("value_dim").isNull() ? keyDim : c.getInt("value_dim", keyDim);
        boolean useBias = c.getBoolean("use_bias", true);
        if (layer.weights().size() != (useBias ? 8 : 4)) {
            throw unsupported(layer, layer.weights().size() + " weights where " + (useBias ? 8 : 4) + " were expected");
        }
        KerasTensor query = call.inputs().get(0);
        KerasTensor value = call.inputs().get(1);
        KerasTensor key = call.inputs().size() > 2 ? call.inputs().get(2) : value;
        Tensor q = project(n + "/query", query.value(), layer, 0, useBias, heads, keyDim);
        Tensor k = project(n + "/key", key.value(), layer, 1, useBias, heads, keyDim);
        Tensor v = project(n + "/value", value.value(), layer, 2, useBias, heads, valueDim);
        q = ops.mul(n + "/scaled_query", q, ops.scalar(n + "/inverse_sqrt_key_dim", (float) (1.0 / Math.sqrt(keyDim))));
        // [batch, steps, heads * dim] -> [batch, heads, steps, dim]
        q = ops.transpose(n + "/query_heads", ops.reshapeLeading(n + "/query_split", q, query.value(), 2, new long[] {heads, keyDim}), 0, 2, 1, 3);
        k = ops.transpose(n + "/key_heads", ops.reshapeLeading(n + "/key_split", k, key.value(), 2, new long[] {heads, keyDim}), 0, 2, 1, 3);
        v = ops.transpose(n + "/value_heads", ops.reshapeLeading(n + "/value_split", v, value.value(), 2, new long[] {heads, valueDim}), 0, 2, 1, 3);
        Tensor scores = ops.batchMatMul(n + "/scores", q, k, true);
        Tensor allowed = multiHeadMask(call, query, value, key == value ? null : key);
        Tensor probabilities = maskedSoftmax(n, scores, allowed, call.dialect(), c.getBoolean("softmax_robust_masking", false));
        Tensor context = ops.batchMatMul(n + "/context", probabilities, v, false);
        context = ops.transpose(n + "/context_steps", context, 0, 2, 1, 3);
        long[] out = call.outputShape();
        long outDim = out[out.length - 1];
        Tensor flat = ops.reshape(n + "/context_flat", context, new long[] {-1, (long) heads * valueDim});
        Tensor kernel = ops.reshape(n + "/output_kernel", read(layer, useBias ? 6 : 3), new long[] {(long) heads * valueDim, outDim});
        Tensor y = ops.matMul(n + "/output_MatMul", flat, kernel);
        if (useBias) y = ops.biasAdd(n + "/output_BiasAdd", y, read(layer, 7));
        y = ops.reshapeLeading(n + "/output", y, query.value(), 2, new long[] {outDim});
        return new KerasTensor(y.withShape(out), query.mask());
    }

    /**
     * {@code Attention} (Luong: {@code dot} or {@code concat} scores) and {@code AdditiveAttention} (Bahdanau) over
     * {@code [query, value(, key)]}, as Keras computes them: masked value steps (and future steps with a causal
     * mask) get the score minus 1e9 before the softmax, masked query steps output zeros.
     */
    KerasTensor dotProductAttention(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        boolean additive = layer.className().equals("AdditiveAttention");
        String mode = additive ? "additive" : c.getString("score_mode", "dot");
        boolean useScale = c.getBoolean("use_scale", additive);
        if (call.kwargs().getBoolean("return_attention_scores", false)) throw unsupported(layer, "return_attention_scores=True");
        if (call.inputs().size() < 2 || call.inputs().size() > 3) throw unsupported(layer, call.inputs().size() + " inputs (expected query, value[, key])");
        Tensor q = call.inputs().get(0).value();
        Tensor v = call.inputs().get(1).value();
        Tensor k = call.inputs().size() > 2 ? call.inputs().get(2).value() : v;
        Tensor scale = useScale ? read(layer, 0) : null;
        Tensor scores;
        if (mode.equals("dot")) {
            scores = ops.batchMatMul(n + "/scores", q, k, true);
            if (scale != null) scores = ops.mul(n + "/scaled_scores", scores, scale);
        } else if (mode.equals("concat") || mode.equals("additive")) {
            Tensor sum = ops.add(n + "/query_plus_key", ops.expandDims(n + "/query_expanded", q, -2), ops.expandDims(n + "/key_expanded", k, -3));
            Tensor tanh;
            if (mode.equals("concat")) {
                tanh = ops.unary("Tanh", n + "/Tanh", scale == null ? sum : ops.mul(n + "/scaled_sum", scale, sum));
            } else {
                tanh = ops.unary("Tanh", n + "/Tanh", sum);
                if (scale != null) tanh = ops.mul(n + "/scaled_tanh", scale, tanh);
            }
            scores = ops.reduce("Sum", n + "/scores", tanh, false, -1);
            if (mode.equals("concat")) scores = ops.mul(n + "/weighted_scores", read(layer, useScale ? 1 : 0), scores);
        } else {
            throw unsupported(layer, "score_mode=" + mode);
        }
        Tensor allowed = call.maskArgument(1) == null ? null : ops.expandDims(n + "/value_mask", call.maskArgument(1), -2);
        if (call.kwargs().getBoolean("use_causal_mask", c.getBoolean("causal", false))) {
            Tensor causal = causalMask(call, q.dim(1), v.dim(1));
            allowed = allowed == null ? causal : ops.logical("LogicalAnd", n + "/causal_and", allowed, causal);
        }
        if (allowed != null) {
            scores = ops.selectV2(n + "/masked_scores", allowed, scores, ops.sub(n + "/dropped_scores", scores, ops.scalar(n + "/large", -MASKED)));
        }
        Tensor y = ops.batchMatMul(n + "/context", ops.unary("Softmax", n + "/softmax", scores), v, false);
        Tensor queryMask = call.maskArgument(0);
        if (queryMask != null) y = ops.selectV2(n + "/masked_queries", ops.expandDims(n + "/query_mask", queryMask, -1), y, ops.scalar(n + "/zero", 0f));
        return new KerasTensor(y.withShape(call.outputShape()), queryMask);
    }

    private void checkSupported(LayerCall call) {
        Layer layer = call.layer();
        JsonObject c = layer.config();
        JsonValue axes = c.get("attention_axes");
        // Keras 3 writes the default (attend over the step axis of [batch, steps, dim]) as [1].
        if (!axes.isNull() && !axes.toJson().equals("[1]") && !axes.toJson().equals("[-2]")) {
            throw unsupported(layer, "attention_axes " + axes.toJson());
        }
        if (c.getBoolean("use_gate", false)) throw unsupported(layer, "use_gate=True");
        if (!c.get("sliding_window").isNull()) throw unsupported(layer, "sliding_window");
        JsonValue outputShape = c.get("output_shape");
        if (outputShape instanceof JsonArray a && a.size() != 1) throw unsupported(layer, "a multi-dimensional output_shape " + a.toJson());
        if (call.kwargs().getBoolean("return_attention_scores", false)) throw unsupported(layer, "return_attention_scores=True");
        if (!call.kwargs().get("attention_mask").isNull()) throw unsupported(layer, "an explicit attention_mask");
        if (call.inputs().size() < 2 || call.inputs().size() > 3) throw unsupported(layer, call.inputs().size() + " inputs (expected query, value[, key])");
        for (KerasTensor in : call.inputs()) {
            if (in.value().rank() != 3) throw unsupported(layer, "an input of rank " + in.value().rank() + " (expected [batch, steps, dim])");
        }
    }

    /** {@code x[batch, steps, dim] @ kernel[dim, heads, size] + bias[heads, size]}, as {@code [batch, steps, heads * size]}. */
    private Tensor project(String n, Tensor x, Layer layer, int projection, boolean useBias, int heads, int size) {
        int width = heads * size;
        Tensor kernel = ops.reshape(n + "/kernel", read(layer, useBias ? 2 * projection : projection), new long[] {x.dim(-1), width});
        Tensor y = ops.matMul(n + "/MatMul", ops.reshape(n + "/flatten", x, new long[] {-1, x.dim(-1)}), kernel);
        if (useBias) y = ops.biasAdd(n + "/BiasAdd", y, ops.reshape(n + "/bias", read(layer, 2 * projection + 1), new long[] {width}));
        return ops.reshapeLeading(n + "/unflatten", y, x, 2, new long[] {width});
    }

    /**
     * Keras's attention mask, {@code [batch, 1, query steps, key steps]} (DT_BOOL), or {@code null}: the query mask
     * over rows, the value (and key) masks over columns and the causal mask, combined with AND.
     */
    private Tensor multiHeadMask(LayerCall call, KerasTensor query, KerasTensor value, KerasTensor key) {
        String n = call.name();
        Tensor mask = null;
        if (query.mask() != null) mask = ops.expandDims(n + "/query_mask", query.mask(), -1);
        for (KerasTensor columns : new KerasTensor[] {value, key}) {
            if (columns == null || columns.mask() == null) continue;
            Tensor m = ops.expandDims(n + "/column_mask", columns.mask(), -2);
            mask = mask == null ? m : ops.logical("LogicalAnd", n + "/mask_and", mask, m);
        }
        if (call.kwargs().getBoolean("use_causal_mask", false)) {
            Tensor causal = causalMask(call, query.value().dim(1), value.value().dim(1));
            mask = mask == null ? causal : ops.logical("LogicalAnd", n + "/causal_and", mask, causal);
        }
        return mask == null ? null : ops.expandDims(n + "/head_mask", mask, 1);
    }

    /** {@code [1, T, S]}: query step {@code i} may attend to key step {@code j <= i}. */
    private Tensor causalMask(LayerCall call, long queryLength, long keyLength) {
        if (queryLength < 0 || keyLength < 0) throw unsupported(call.layer(), "use_causal_mask with an unknown number of steps");
        boolean[] allowed = new boolean[(int) (queryLength * keyLength)];
        for (int i = 0; i < queryLength; i++) for (int j = 0; j <= i && j < keyLength; j++) allowed[(int) (i * keyLength + j)] = true;
        return ops.function().constBool(call.name() + "/causal_mask", new long[] {1, queryLength, keyLength}, allowed);
    }

    /**
     * Softmax over the keys. Masked scores become -1e9 first: Keras 3 selects it and zeroes masked probabilities
     * afterwards (a fully masked row gives zeros); Keras 2 adds {@code (1 - mask) * -1e9} (or selects, with
     * {@code softmax_robust_masking}).
     */
    private Tensor maskedSoftmax(String n, Tensor scores, Tensor allowed, Dialect dialect, boolean robust) {
        if (allowed == null) return ops.unary("Softmax", n + "/softmax", scores);
        boolean keras3 = dialect == Dialect.KERAS3;
        Tensor masked;
        if (keras3 || robust) {
            masked = ops.selectV2(n + "/masked_scores", allowed, scores, ops.scalar(n + "/large_negative", MASKED));
        } else {
            Tensor dropped = ops.sub(n + "/dropped", ops.scalar(n + "/one", 1f), ops.cast(n + "/mask_float", allowed, DataType.DT_FLOAT));
            masked = ops.add(n + "/masked_scores", scores, ops.mul(n + "/adder", dropped, ops.scalar(n + "/large_negative", MASKED)));
        }
        Tensor p = ops.unary("Softmax", n + "/softmax", masked);
        return keras3 ? ops.selectV2(n + "/masked_probabilities", allowed, p, ops.scalar(n + "/zero", 0f)) : p;
    }
}
