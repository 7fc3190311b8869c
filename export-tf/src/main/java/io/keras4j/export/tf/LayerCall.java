package io.keras4j.export.tf;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One call of a layer as the emitters see it: its inputs with the masks they carry, the {@code mask} argument the
 * layer's {@code call} receives, Keras's static output shapes (empty when unknown), the call's node (keyword
 * arguments, Keras 3 operation constants; {@code null} in a Sequential model or inside a wrapper) and the dialect
 * of the model, which decides some defaults.
 *
 * @param maskArguments {@code null} when the layer receives the masks its inputs carry; else its {@code mask}
 *     argument per input as {@link CallSite} resolves it for a Keras 3 node (empty: none): a Keras 3 recurrent
 *     layer given an initial state runs unmasked although its input carries a mask
 */
record LayerCall(Layer layer, List<KerasTensor> inputs, List<Tensor> maskArguments, List<long[]> outputShapes,
                 InboundNode node, Dialect dialect) {
    LayerCall {
        inputs = List.copyOf(inputs);
        maskArguments = maskArguments == null ? null : Collections.unmodifiableList(new ArrayList<>(maskArguments));
        outputShapes = List.copyOf(outputShapes);
    }

    String name() { return layer.name(); }

    JsonObject config() { return layer.config(); }

    KerasTensor input() { return inputs.get(0); }

    /** The first output's static shape: Keras's, else the first input's. */
    long[] outputShape() { return outputShapes.isEmpty() ? inputs.get(0).value().shape() : outputShapes.get(0); }

    /** The {@code mask} argument of input {@code i} ({@code null}: none), which layers that consume masks use. */
    Tensor maskArgument(int i) {
        if (maskArguments == null) return inputs.get(i).mask();
        return i < maskArguments.size() ? maskArguments.get(i) : null;
    }

    JsonObject kwargs() { return node == null ? JsonObject.EMPTY : node.kwargs(); }

    /** A wrapped layer's call ({@code TimeDistributed}, {@code Bidirectional}): no node of its own. */
    LayerCall inner(Layer innerLayer, List<KerasTensor> innerInputs, List<long[]> innerOutputShapes) {
        return new LayerCall(innerLayer, innerInputs, null, innerOutputShapes, null, dialect);
    }
}
