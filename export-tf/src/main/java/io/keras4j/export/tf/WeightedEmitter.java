package io.keras4j.export.tf;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.function.Function;

/** An emitter of layers with weights: the ops it emits with, and how a layer's weights enter the graph. */
abstract class WeightedEmitter {
    final TfOps ops;
    private final Function<Weight, Tensor> read;

    WeightedEmitter(TfOps ops, Function<Weight, Tensor> read) {
        this.ops = ops;
        this.read = read;
    }

    /** The layer's {@code i}-th weight as a graph tensor (refused when the layer has fewer). */
    final Tensor read(Layer layer, int i) {
        return read.apply(EmitHelpers.weight(layer, i));
    }
}
