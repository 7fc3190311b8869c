package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.InboundNode;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Attention} (Luong: dot scores, or "concat" scores) and {@code AdditiveAttention} (Bahdanau) over
 * {@code [query, value(, key)]} of shape {@code [batch, steps, dim]}. Masked value steps get -1e9 before the
 * softmax and masked query steps output zeros, as in Keras.
 */
final class AttentionOp implements LayerOp {
    private final LayerSpec spec;
    private final boolean additive;
    private final boolean concat;
    private final boolean useScale;
    private final boolean causal;

    AttentionOp(LayerSpec spec, boolean additive) { this(spec, additive, false); }

    private AttentionOp(LayerSpec spec, boolean additive, boolean causal) {
        this.spec = spec;
        this.additive = additive;
        this.concat = !additive && "concat".equals(Configs.string(spec, "score_mode", "dot"));
        this.useScale = Configs.flag(spec, "use_scale", additive);
        this.causal = causal;
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        boolean wantCausal = node.kwargs().getBoolean("use_causal_mask", false);
        return wantCausal == causal ? this : new AttentionOp(spec, additive, wantCausal);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] out = in.get(0).clone();
        out[out.length - 1] = in.get(1)[in.get(1).length - 1];
        return List.of(out);
    }

    @Override
    public List<long[]> weightShapes(List<long[]> in) {
        List<long[]> shapes = new ArrayList<>();
        if (useScale) shapes.add(additive ? new long[] {in.get(0)[in.get(0).length - 1]} : new long[0]);
        if (concat) shapes.add(new long[0]);
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        if (inputs.stream().allMatch(v -> v.array().rank() == 2)) return callOnBatchAsSteps(inputs, ctx);
        for (Value v : inputs) {
            if (v.array().shape().length != 3) {
                throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + ") runs on inputs "
                        + "of shape (batch, steps, features), or all of shape (batch, features); got "
                        + java.util.Arrays.toString(v.array().shape()));
            }
        }
        Value query = inputs.get(0), value = inputs.get(1), key = inputs.size() > 2 ? inputs.get(2) : value;
        float[] scale = useScale ? spec.floats(0) : null;
        float concatWeight = concat ? spec.floats(useScale ? 1 : 0)[0] : 1f;
        int b = query.array().dim(0), tq = query.array().dim(1), tv = value.array().dim(1);
        int d = query.array().dim(2), dv = value.array().dim(2);
        float[] q = query.array().data(), k = key.array().data(), v = value.array().data();
        float[] out = new float[b * tq * dv];
        double[] scores = new double[tv];
        Mask qMask = query.mask(), vMask = value.mask();
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < tq; i++) {
                int qi = (n * tq + i) * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tv; j++) {
                    int kj = (n * tv + j) * d;
                    double s = 0;
                    if (additive) {
                        for (int c = 0; c < d; c++) s += (scale == null ? 1 : scale[c]) * Math.tanh(q[qi + c] + k[kj + c]);
                    } else if (concat) {
                        for (int c = 0; c < d; c++) s += Math.tanh((scale == null ? 1 : scale[0]) * (q[qi + c] + k[kj + c]));
                        s *= concatWeight;
                    } else {
                        for (int c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
                        if (scale != null) s *= scale[0];
                    }
                    boolean masked = (vMask != null && !vMask.get(n * tv + j)) || (causal && j > i);
                    if (masked) s -= 1e9;
                    scores[j] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j < tv; j++) sum += (scores[j] = Math.exp(scores[j] - max));
                if (qMask != null && !qMask.get(n * tq + i)) continue;
                int o = (n * tq + i) * dv;
                for (int j = 0; j < tv; j++) {
                    double p = scores[j] / sum;
                    int vj = (n * tv + j) * dv;
                    for (int c = 0; c < dv; c++) out[o + c] += (float) (p * v[vj + c]);
                }
            }
        }
        return List.of(new Value(NdArray.wrap(out, b, tq, dv), qMask));
    }

    /**
     * Rank-2 inputs: Keras's scores {@code query @ key^T} are then {@code [batch, batch]}, so the batch's samples
     * form one sequence that attends over itself (the result depends on the whole batch). That is the rank-3
     * computation on {@code [1, batch, features]}.
     */
    private List<Value> callOnBatchAsSteps(List<Value> inputs, CallContext ctx) {
        if (causal) throw Configs.unsupported(spec, "use_causal_mask=True on inputs of shape (batch, features)");
        List<Value> asSequence = new java.util.ArrayList<>();
        for (Value v : inputs) {
            if (v.mask() != null) throw Configs.unsupported(spec, "masked inputs of shape (batch, features)");
            asSequence.add(Value.of(v.array().reshape(1, v.array().dim(0), v.array().dim(1))));
        }
        NdArray out = call(asSequence, ctx).get(0).array();
        return List.of(Value.of(out.reshape(out.dim(1), out.dim(2))));
    }
}
