package io.keras4j.runtime.layers;

import io.keras4j.model.InboundNode;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * Keras 3's {@code ReversibleEmbedding}: an {@code Embedding} (with its {@code mask_zero}) that, called with
 * {@code reverse=True}, projects vectors back to logits over the vocabulary: {@code x @ embeddings^T} when
 * {@code tie_weights}, else {@code x @ reverse_embeddings}, optionally soft-capped as
 * {@code tanh(logits / cap) * cap}.
 */
final class ReversibleEmbeddingOp implements LayerOp {
    private final LayerSpec spec;
    private final EmbeddingOp forward;
    private final boolean reverse;

    ReversibleEmbeddingOp(LayerSpec spec) { this(spec, false); }

    private ReversibleEmbeddingOp(LayerSpec spec, boolean reverse) {
        this.spec = spec;
        this.reverse = reverse;
        if (!spec.config().get("quantization_config").isNull()) throw Configs.unsupported(spec, "a quantized ReversibleEmbedding");
        if (!spec.config().get("reverse_dtype").isNull()) throw Configs.unsupported(spec, "reverse_dtype");
        this.forward = new EmbeddingOp(spec);
    }

    private boolean tied() { return Configs.flag(spec, "tie_weights", true); }

    private int inputDim() { return Configs.requiredInt(spec, "input_dim"); }

    private int outputDim() { return Configs.requiredInt(spec, "output_dim"); }

    @Override
    public LayerOp forCall(InboundNode node) {
        boolean r = node.kwargs().getBoolean("reverse", false);
        return r == reverse ? this : new ReversibleEmbeddingOp(spec, r);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        if (!reverse) return forward.outputShapes(inputShapes);
        long[] out = inputShapes.get(0).clone();
        out[out.length - 1] = inputDim();
        return List.of(out);
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] table = {inputDim(), outputDim()};
        return tied() ? List.of(table) : List.of(table, new long[] {outputDim(), inputDim()});
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        if (!reverse) return forward.call(inputs, ctx);
        NdArray x = inputs.get(0).array();
        int vocab = inputDim(), dim = outputDim();
        if (x.dim(-1) != dim) throw Configs.bad(spec, "output_dim", dim + " does not match the last axis of input " + x);
        float[] table = spec.floats(0);
        float[] kernel = tied() ? null : spec.floats(1);
        Double cap = Configs.optionalReal(spec, "logit_soft_cap");
        float[] src = x.data();
        int rows = src.length / dim;
        float[] out = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < vocab; v++) {
                float sum = 0f;
                for (int k = 0; k < dim; k++) {
                    sum += src[r * dim + k] * (kernel == null ? table[v * dim + k] : kernel[k * vocab + v]);
                }
                out[r * vocab + v] = cap == null ? sum : (float) (Math.tanh(sum / cap) * cap);
            }
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = vocab;
        return List.of(Value.of(NdArray.wrap(out, shape)));
    }
}
