package io.keras4j.runtime.layers;

import io.keras4j.model.InboundNode;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3's {@code GroupedQueryAttention} (class name {@code GroupQueryAttention}), called as
 * {@code (query, value[, key])} on {@code [batch, steps, features]}: {@code num_query_heads} query heads share
 * {@code num_key_value_heads} key and value heads (query head {@code u} reads key/value head
 * {@code u / (num_query_heads / num_key_value_heads)}, as {@code ops.repeat} lays them out); scores are scaled by
 * {@code 1/sqrt(head_dim)}, restricted by {@code use_causal_mask} and {@code sliding_window}. Weights in Keras
 * order: query, key, value and output projections, each kernel then bias.
 *
 * <p>Keras fills {@code query_mask}/{@code value_mask} from masked inputs; those, an explicit
 * {@code attention_mask}, {@code use_gate} and attention scores are refused, not approximated.
 */
final class GroupedQueryAttentionOp implements LayerOp {
    private static final float MASKED = -1e9f;
    private final LayerSpec spec;
    private final int queryHeads;
    private final int kvHeads;
    private final int headDim;
    private final boolean useBias;
    private final Integer slidingWindow;
    private final boolean causal;

    GroupedQueryAttentionOp(LayerSpec spec) { this(spec, false); }

    private GroupedQueryAttentionOp(LayerSpec spec, boolean causal) {
        this.spec = spec;
        this.queryHeads = Configs.requiredInt(spec, "num_query_heads");
        this.kvHeads = Configs.requiredInt(spec, "num_key_value_heads");
        this.headDim = Configs.requiredInt(spec, "head_dim");
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.causal = causal;
        this.slidingWindow = spec.config().get("sliding_window").isNull() ? null : Configs.requiredInt(spec, "sliding_window");
        if (kvHeads <= 0 || queryHeads % kvHeads != 0) {
            throw Configs.bad(spec, "num_key_value_heads", kvHeads + " does not divide num_query_heads " + queryHeads);
        }
        if (Configs.flag(spec, "use_gate", false)) throw Configs.unsupported(spec, "use_gate=True");
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        if (node.kwargs().getBoolean("return_attention_scores", false)) {
            throw Configs.unsupported(spec, "return_attention_scores=True");
        }
        for (String tensor : new String[] {"attention_mask", "query_mask", "value_mask", "key_mask"}) {
            if (node.kwargs().has(tensor) && !node.kwargs().get(tensor).isNull()) throw Configs.unsupported(spec, "an explicit " + tensor);
        }
        boolean wantCausal = node.kwargs().getBoolean("use_causal_mask", false);
        return wantCausal == causal ? this : new GroupedQueryAttentionOp(spec, wantCausal);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        checkInputs(in.size());
        for (long[] s : in) {
            if (s.length != 3) throw Configs.unsupported(spec, "inputs of rank " + s.length + " (only [batch, steps, features])");
        }
        return List.of(in.get(0).clone());
    }

    private void checkInputs(int n) {
        if (n < 2 || n > 3) {
            throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className()
                    + ") takes query, value and an optional key; got " + n + " inputs");
        }
    }

    @Override
    public List<long[]> weightShapes(List<long[]> in) {
        long dim = in.get(0)[2], valueDim = in.get(1)[2], keyDim = in.get(in.size() == 3 ? 2 : 1)[2];
        List<long[]> shapes = new ArrayList<>();
        shapes.add(new long[] {dim, queryHeads, headDim});
        if (useBias) shapes.add(new long[] {queryHeads, headDim});
        shapes.add(new long[] {keyDim, kvHeads, headDim});
        if (useBias) shapes.add(new long[] {kvHeads, headDim});
        shapes.add(new long[] {valueDim, kvHeads, headDim});
        if (useBias) shapes.add(new long[] {kvHeads, headDim});
        shapes.add(new long[] {queryHeads, headDim, dim});
        if (useBias) shapes.add(new long[] {dim});
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        checkInputs(inputs.size());
        for (Value v : inputs) {
            if (v.mask() != null) throw Configs.unsupported(spec, "masked inputs (Keras fills query_mask/value_mask from them)");
        }
        NdArray query = inputs.get(0).array(), value = inputs.get(1).array();
        NdArray key = inputs.size() == 3 ? inputs.get(2).array() : value;
        int w = 0;
        float[] wq = spec.floats(w++), bq = useBias ? spec.floats(w++) : null;
        float[] wk = spec.floats(w++), bk = useBias ? spec.floats(w++) : null;
        float[] wv = spec.floats(w++), bv = useBias ? spec.floats(w++) : null;
        float[] wo = spec.floats(w++), bo = useBias ? spec.floats(w) : null;
        int batch = query.dim(0), t = query.dim(1), s = value.dim(1), dim = query.dim(2);
        if (key.dim(1) != s) throw Configs.bad(spec, "key", "has " + key.dim(1) + " steps, value " + s);
        float[] q = project(query, wq, bq, queryHeads * headDim);
        float[] k = project(key, wk, bk, kvHeads * headDim);
        float[] v = project(value, wv, bv, kvHeads * headDim);
        int repeats = queryHeads / kvHeads, qRow = queryHeads * headDim, kvRow = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] attended = new float[batch * t * qRow];
        float[] scores = new float[s];
        for (int b = 0; b < batch; b++) {
            for (int u = 0; u < queryHeads; u++) {
                int kvHead = u / repeats;
                for (int i = 0; i < t; i++) {
                    int qAt = (b * t + i) * qRow + u * headDim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        float dot = 0f;
                        int kAt = (b * s + j) * kvRow + kvHead * headDim;
                        for (int h = 0; h < headDim; h++) dot += q[qAt + h] * k[kAt + h];
                        boolean keep = (!causal || j <= i) && (slidingWindow == null || Math.abs(i - j) < slidingWindow);
                        scores[j] = keep ? dot * scale : MASKED;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) sum += Math.exp(scores[j] - max);
                    int oAt = (b * t + i) * qRow + u * headDim;
                    for (int j = 0; j < s; j++) {
                        float p = (float) (Math.exp(scores[j] - max) / sum);
                        int vAt = (b * s + j) * kvRow + kvHead * headDim;
                        for (int h = 0; h < headDim; h++) attended[oAt + h] += p * v[vAt + h];
                    }
                }
            }
        }
        float[] out = new float[batch * t * dim];
        for (int r = 0; r < batch * t; r++) {
            for (int m = 0; m < dim; m++) {
                double acc = bo == null ? 0 : bo[m];
                for (int c = 0; c < qRow; c++) acc += (double) attended[r * qRow + c] * wo[c * dim + m];
                out[r * dim + m] = (float) acc;
            }
        }
        return List.of(Value.of(NdArray.wrap(out, batch, t, dim)));
    }

    /** {@code x @ kernel + bias} with the kernel's head axes flattened: [rows, features] x [features, columns]. */
    private static float[] project(NdArray x, float[] kernel, float[] bias, int columns) {
        int features = x.dim(2), rows = x.size() / features;
        float[] src = x.data(), out = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double acc = bias == null ? 0 : bias[c];
                for (int f = 0; f < features; f++) acc += (double) src[r * features + f] * kernel[f * columns + c];
                out[r * columns + c] = (float) acc;
            }
        }
        return out;
    }
}
