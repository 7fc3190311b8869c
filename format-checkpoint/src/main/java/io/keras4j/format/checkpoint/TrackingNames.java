package io.keras4j.format.checkpoint;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import java.util.Set;

/**
 * The attribute path through which a layer tracks a weight, which is the name TF's object graph restores by. It is
 * usually Keras's short name; Keras 3 keeps some kernels behind properties ({@code Dense._kernel}, read in
 * keras/src/layers/core/dense.py, einsum_dense.py, convolutional/base_conv.py, core/embedding.py) and recurrent
 * layers own their weights through {@code cell}.
 */
final class TrackingNames {
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "SimpleRNN");
    private static final Set<String> KERAS3_PRIVATE_KERNEL = Set.of("Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D",
            "Convolution1D", "Convolution2D", "Convolution3D");
    private static final Set<String> WRAPPERS = Set.of("Bidirectional", "ConvLSTM1D", "ConvLSTM2D",
            "ConvLSTM3D", "RNN", "StackedRNNCells", "MultiHeadAttention");

    private TrackingNames() {}

    static String path(Dialect dialect, Layer layer, String shortName) {
        String cls = layer.className();
        String prefix = "";
        if (cls.equals("TimeDistributed")) {
            // The wrapped layer is tracked as "layer"; its class decides the rest of the path.
            prefix = "layer/";
            cls = layer.config().getObject("layer").getString("class_name", "");
        }
        if (WRAPPERS.contains(cls) || cls.equals("TimeDistributed") || layer.nestedModel().isPresent()) {
            throw new UnsupportedModelException("writing checkpoints of " + cls + " layers ('" + layer.name()
                    + "') is not supported yet: their variables sit in nested objects keras4j does not lay out");
        }
        if (RECURRENT.contains(cls)) return prefix + "cell/" + shortName;
        if (dialect == Dialect.KERAS3) {
            if (shortName.equals("kernel") && KERAS3_PRIVATE_KERNEL.contains(cls)) return prefix + "_kernel";
            if (shortName.equals("embeddings") && cls.equals("Embedding")) return prefix + "_embeddings";
        }
        return prefix + shortName;
    }
}
