package io.keras4j.runtime.layers;

import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Weight;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code SpectralNormalization} at inference: Keras 3 and tf.keras renormalize the wrapped layer's kernel only when
 * training (and store the result in the kernel), so inference runs the wrapped layer on its saved weights. The
 * wrapper's own weight {@code vector_u} (the power iteration's state) is not used. Keras lists it after the kernel
 * (Keras 3: kernel, vector_u, the rest) or last (tf.keras).
 */
final class SpectralNormalizationOp implements LayerOp {
    private final LayerOp inner;
    private final int vectorIndex;
    private final int weightCount;

    SpectralNormalizationOp(LayerSpec spec) {
        List<Weight> all = spec.weights();
        int named = -1;
        for (int i = 0; i < all.size(); i++) if (all.get(i).shortName().equals("vector_u")) named = i;
        int byOrder = spec.sourceDialect() == Dialect.KERAS3 ? 1 : all.size() - 1;
        this.vectorIndex = all.isEmpty() ? -1 : named >= 0 ? named : byOrder;
        if (!all.isEmpty() && (vectorIndex < 0 || vectorIndex >= all.size() || all.get(vectorIndex).value().shape().length != 2
                || all.get(vectorIndex).value().shape()[0] != 1)) {
            throw Configs.bad(spec, "layer", "has weights with no power-iteration vector of shape (1, units) where Keras keeps it");
        }
        List<Weight> innerWeights = new ArrayList<>(all);
        if (vectorIndex >= 0) innerWeights.remove(vectorIndex);
        this.weightCount = all.size();
        this.inner = spec.buildInner(Configs.object(spec, "layer"), innerWeights);
    }

    private SpectralNormalizationOp(LayerOp inner, int vectorIndex, int weightCount) {
        this.inner = inner;
        this.vectorIndex = vectorIndex;
        this.weightCount = weightCount;
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        LayerOp forCall = inner.forCall(node);
        return forCall == inner ? this : new SpectralNormalizationOp(forCall, vectorIndex, weightCount);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) { return inner.outputShapes(inputShapes); }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        List<long[]> shapes = new ArrayList<>(inner.weightShapes(inputShapes));
        if (vectorIndex >= 0 && !shapes.isEmpty()) {
            long[] kernel = shapes.get(0);
            shapes.add(Math.min(vectorIndex, shapes.size()), new long[] {1, kernel[kernel.length - 1]});
        }
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) { return inner.call(inputs, ctx); }
}
