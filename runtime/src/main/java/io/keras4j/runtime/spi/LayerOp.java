package io.keras4j.runtime.spi;

import io.keras4j.model.InboundNode;
import java.util.List;

/**
 * The executable form of one Keras layer. Implementations are immutable: everything a call needs is in its
 * arguments or freshly allocated, so one instance serves concurrent predictions.
 *
 * <p>Shapes include the batch axis; {@code -1} marks a dimension unknown until run time.
 */
public interface LayerOp {

    /** Output shapes for these input shapes, like Keras's {@code compute_output_shape}. */
    List<long[]> outputShapes(List<long[]> inputShapes);

    /** Shapes of the weights this layer needs, in Keras's {@code layer.weights} order. */
    default List<long[]> weightShapes(List<long[]> inputShapes) { return List.of(); }

    /**
     * The op for one call of the layer: its keyword arguments ({@code use_causal_mask}, ...) and, for Keras 3
     * operation nodes, the constants among its positional arguments ({@code x != 0.0}) are in the node. Most layers
     * ignore it.
     */
    default LayerOp forCall(InboundNode node) { return this; }

    /** Runs the layer in inference mode (dropout off, batch normalization on its moving statistics). */
    List<Value> call(List<Value> inputs, CallContext ctx);
}
