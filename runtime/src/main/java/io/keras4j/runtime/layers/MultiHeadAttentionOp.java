package io.keras4j.runtime.layers;

import io.keras4j.model.InboundNode;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code MultiHeadAttention} with the default attention axes, called as {@code (query, value[, key])}.
 * Weights in Keras order: query, key, value and output projections, each kernel then bias. Query and value masks
 * and {@code use_causal_mask} restrict the attention as in Keras.
 */
final class MultiHeadAttentionOp implements LayerOp {
    /** What Keras adds to the scores of masked positions before the softmax. */
    private static final float MASKED = -1e9f;

    private final LayerSpec spec;
    private final int heads;
    private final int keyDim;
    private final int valueDim;
    private final Integer outputDim;
    private final boolean useBias;
    private final boolean causal;
    private final float[][] weights;

    MultiHeadAttentionOp(LayerSpec spec) { this(spec, false); }

    private MultiHeadAttentionOp(LayerSpec spec, boolean causal) {
        this.spec = spec;
        this.heads = Configs.requiredInt(spec, "num_heads");
        this.keyDim = Configs.requiredInt(spec, "key_dim");
        this.valueDim = Configs.integer(spec, "value_dim", keyDim);
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.causal = causal;
        var axes = spec.config().get("attention_axes");
        // Keras 3 writes the default (attend over the step axis of [batch, steps, dim]) as [1].
        if (!axes.isNull() && !axes.toJson().equals("[1]") && !axes.toJson().equals("[-2]")) {
            throw Configs.unsupported(spec, "attention_axes " + axes.toJson());
        }
        if (Configs.flag(spec, "use_gate", false)) throw Configs.unsupported(spec, "use_gate=True");
        if (!spec.config().get("sliding_window").isNull()) throw Configs.unsupported(spec, "sliding_window");
        var shape = spec.config().get("output_shape");
        this.outputDim = shape.isNull() ? null : Configs.tuple(spec, "output_shape", 1, 0)[0];
        int n = useBias ? 8 : 4;
        this.weights = new float[n][];
        for (int i = 0; i < n && spec.hasWeights(); i++) weights[i] = spec.floats(i);
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        if (node.kwargs().getBoolean("return_attention_scores", false)) {
            throw Configs.unsupported(spec, "return_attention_scores=True");
        }
        if (node.kwargs().has("attention_mask") && !node.kwargs().get("attention_mask").isNull()) {
            throw Configs.unsupported(spec, "an explicit attention_mask");
        }
        boolean wantCausal = node.kwargs().getBoolean("use_causal_mask", false);
        return wantCausal == causal ? this : new MultiHeadAttentionOp(spec, wantCausal);
    }

    private long outDim(long queryDim) { return outputDim != null ? outputDim : queryDim; }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] q = in.get(0);
        long[] out = q.clone();
        out[out.length - 1] = outDim(q[q.length - 1]);
        return List.of(out);
    }

    @Override
    public List<long[]> weightShapes(List<long[]> in) {
        long dq = in.get(0)[in.get(0).length - 1];
        long dv = in.get(1)[in.get(1).length - 1];
        long dk = in.size() > 2 ? in.get(2)[in.get(2).length - 1] : dv;
        List<long[]> shapes = new ArrayList<>();
        long[][] kernels = {{dq, heads, keyDim}, {dk, heads, keyDim}, {dv, heads, valueDim}, {heads, valueDim, outDim(dq)}};
        long[][] biases = {{heads, keyDim}, {heads, keyDim}, {heads, valueDim}, {outDim(dq)}};
        for (int i = 0; i < 4; i++) {
            shapes.add(kernels[i]);
            if (useBias) shapes.add(biases[i]);
        }
        return shapes;
    }

    private float[] kernel(int projection) { return weights[useBias ? 2 * projection : projection]; }

    private float[] bias(int projection) { return useBias ? weights[2 * projection + 1] : null; }

    /** {@code x[rows, d] @ kernel[d, width] + bias}. */
    private static float[] project(NdArray x, float[] kernel, float[] bias, int width, CallContext ctx) {
        int d = x.dim(-1), rows = x.size() / d;
        float[] out = new float[rows * width];
        if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, out, r * width, width);
        ctx.parallelFor(rows, (long) d * width, (from, to) ->
                Gemm.multiplyAdd(to - from, width, d, x.data(), from * d, d, kernel, 0, width, out, from * width, width));
        return out;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value query = inputs.get(0), value = inputs.get(1), key = inputs.size() > 2 ? inputs.get(2) : value;
        int batch = query.array().dim(0), tq = query.array().dim(1), tk = value.array().dim(1);
        int hk = heads * keyDim, hv = heads * valueDim;
        float[] q = project(query.array(), kernel(0), bias(0), hk, ctx);
        float[] k = project(key.array(), kernel(1), bias(1), hk, ctx);
        float[] v = project(value.array(), kernel(2), bias(2), hv, ctx);
        float scale = (float) (1 / Math.sqrt(keyDim));
        for (int i = 0; i < q.length; i++) q[i] *= scale;
        float[] context = new float[batch * tq * hv];
        Mask qMask = query.mask(), vMask = value.mask(), kMask = inputs.size() > 2 ? key.mask() : null;
        ctx.parallelFor(batch * heads, (long) tq * tk * (keyDim + valueDim), (from, to) -> {
            float[] scores = new float[tk];
            for (int bh = from; bh < to; bh++) {
                int b = bh / heads, h = bh % heads;
                for (int i = 0; i < tq; i++) {
                    int qi = (b * tq + i) * hk + h * keyDim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        int kj = (b * tk + j) * hk + h * keyDim;
                        float s = 0;
                        for (int d = 0; d < keyDim; d++) s += q[qi + d] * k[kj + d];
                        if (!allowed(b, i, j, tq, tk, qMask, vMask, kMask)) s += MASKED;
                        scores[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) sum += (scores[j] = (float) Math.exp(scores[j] - max));
                    int ci = (b * tq + i) * hv + h * valueDim;
                    for (int j = 0; j < tk; j++) {
                        float p = (float) (scores[j] / sum);
                        int vj = (b * tk + j) * hv + h * valueDim;
                        for (int d = 0; d < valueDim; d++) context[ci + d] += p * v[vj + d];
                    }
                }
            }
        });
        int out = (int) outDim(query.array().dim(-1));
        float[] y = project(NdArray.wrap(context, batch * tq, hv), kernel(3), bias(3), out, ctx);
        return List.of(new Value(NdArray.wrap(y, batch, tq, out), query.mask()));
    }

    private boolean allowed(int b, int i, int j, int tq, int tk, Mask qMask, Mask vMask, Mask kMask) {
        if (causal && j > i) return false;
        if (qMask != null && !qMask.get(b * tq + i)) return false;
        if (vMask != null && !vMask.get(b * tk + j)) return false;
        return kMask == null || kMask.get(b * tk + j);
    }
}
