package io.keras4j.format.h5;

import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Weight;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Copies a model's tensors from file regions to the heap, for weights read from a temporary file. */
final class InMemory {
    private InMemory() {}

    static Model copy(Model model) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            Layer.Builder b = l.toBuilder().weights(copy(l.nestedModel().isPresent() ? List.of() : l.weights()));
            l.nestedModel().ifPresent(n -> b.nestedModel(copy(n)));
            layers.add(b.build());
        }
        Model.Builder b = model.toBuilder().layers(layers).modelWeights(copy(model.modelWeights()));
        model.optimizer().ifPresent(o -> b.optimizer(new OptimizerState(o.config(), copy(o.variables()))));
        return b.build();
    }

    private static List<Weight> copy(List<Weight> weights) {
        List<Weight> out = new ArrayList<>();
        for (Weight w : weights) out.add(w.withValue(copy(w.value())));
        return out;
    }

    private static Tensor copy(Tensor t) {
        if (t.dtype() == DType.STRING || !(t.data() instanceof TensorData.FileRegion)) return t;
        ByteBuffer src = t.data().buffer();
        ByteBuffer heap = ByteBuffer.allocate(src.remaining());
        heap.put(src.duplicate());
        return Tensor.of(t.dtype(), t.shape(), heap.flip());
    }
}
