package io.keras4j.export.tf.spi;

import java.util.List;

/** Emits the TensorFlow ops of one call of a layer; see {@link GraphLayerProvider}. */
@FunctionalInterface
public interface GraphLayer {

    /**
     * The layer's outputs.
     *
     * @param graph where the ops go
     * @param inputs the layer's inputs (an input carrying a Keras mask is refused before this is called)
     * @param weights the layer's weights in Keras's {@code layer.weights} order, each already read from its variable
     * @param outputShapes Keras's static output shapes, batch axis first, -1 where unknown
     */
    List<GraphTensor> call(TfOpBuilder graph, List<GraphTensor> inputs, List<GraphTensor> weights, List<long[]> outputShapes);
}
