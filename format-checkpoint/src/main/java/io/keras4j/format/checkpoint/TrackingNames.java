package io.keras4j.format.checkpoint;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The attribute path through which a layer tracks each of its weights, which is the name TF's object graph restores
 * by. It is usually Keras's short name; Keras 3 keeps some kernels behind properties ({@code Dense._kernel}, read in
 * keras/src/layers/core/dense.py, einsum_dense.py, convolutional/base_conv.py, core/embedding.py); recurrent layers
 * own their weights through {@code cell}; wrappers and composite layers through their sub-layers
 * ({@code layer}, {@code forward_layer}/{@code backward_layer}, {@code _query_dense}...). Sub-layers own consecutive
 * runs of the wrapper's weights, in Keras's {@code layer.weights} order, so the paths are assigned by position, not by
 * name: a source may name them {@code kernel} or {@code mha/query/kernel:0} alike.
 */
public final class TrackingNames {
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "SimpleRNN");
    private static final Set<String> CELLS = Set.of("LSTMCell", "GRUCell", "SimpleRNNCell");
    private static final Set<String> KERAS3_PRIVATE_KERNEL = Set.of("Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D",
            "Convolution1D", "Convolution2D", "Convolution3D");
    private static final Set<String> DEPTHWISE = Set.of("DepthwiseConv1D", "DepthwiseConv2D");
    /** Layers whose variables sit in nested objects whose tracking names have not been checked against real Keras. */
    private static final Set<String> UNCHARTED = Set.of("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "StackedRNNCells",
            "Sequential", "Functional", "Model");

    private TrackingNames() {}

    /**
     * The tracked path of each of {@code layer.weights()}, in that order, e.g. {@code forward_layer/cell/kernel}.
     * Public for the SavedModel writer, whose object graph tracks a layer's variables the same way.
     *
     * @throws UnsupportedModelException for a nested model or a layer whose nested objects are not charted
     */
    public static List<String> paths(Dialect dialect, Layer layer) {
        if (layer.nestedModel().isPresent()) throw unsupported(layer.name(), layer.className(), "a nested model");
        List<String> names = layer.weights().stream().map(Weight::shortName).toList();
        return paths(dialect, layer.name(), layer.className(), layer.config(), names);
    }

    private static List<String> paths(Dialect dialect, String layerName, String cls, JsonObject config, List<String> names) {
        if (UNCHARTED.contains(cls)) throw unsupported(layerName, cls, "its nested objects");
        switch (cls) {
            case "TimeDistributed":
                return sublayer(dialect, layerName, "layer/", config, "layer", names);
            case "Bidirectional":
                return bidirectional(dialect, layerName, config, names);
            case "MultiHeadAttention":
                return multiHeadAttention(dialect, layerName, config, names);
            case "RNN":
                String cell = wrapped(layerName, config, "cell").getString("class_name", "");
                if (!CELLS.contains(cell)) throw unsupported(layerName, "RNN(" + cell + ")", "its cell");
                return prefixed("cell/", names);
            default:
                break;
        }
        if (RECURRENT.contains(cls)) return prefixed("cell/", names);
        if (cls.equals("Normalization")) {
            // Both generations keep the adapted statistics in adapt_mean / adapt_variance (variables named mean, variance).
            return names.stream().map(n -> n.equals("mean") || n.equals("variance") ? "adapt_" + n : n).toList();
        }
        boolean depthwise = DEPTHWISE.contains(cls);
        if (dialect != Dialect.KERAS3) {
            // tf.keras tracks a depthwise kernel as depthwise_kernel; Keras 3 names it kernel.
            return depthwise ? names.stream().map(n -> n.equals("kernel") ? "depthwise_kernel" : n).toList() : names;
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (name.equals("depthwise_kernel") && depthwise) out.add("kernel");
            else if (name.equals("kernel") && KERAS3_PRIVATE_KERNEL.contains(cls)) out.add("_kernel");
            else if (name.equals("embeddings") && cls.equals("Embedding")) out.add("_embeddings");
            else out.add(name);
        }
        return out;
    }

    /**
     * {@code forward_layer} then {@code backward_layer}, half of the weights each (Keras splits them so too, in
     * {@code Bidirectional.__init__}); the backward layer is a copy of the forward one unless configured apart.
     */
    private static List<String> bidirectional(Dialect dialect, String layerName, JsonObject config, List<String> names) {
        if (names.size() % 2 != 0) {
            throw new UnsupportedModelException("Bidirectional layer '" + layerName + "' has an odd number of weights ("
                    + names.size() + "); its forward and backward layers should own half each");
        }
        int half = names.size() / 2;
        List<String> out = new ArrayList<>(sublayer(dialect, layerName, "forward_layer/", config, "layer", names.subList(0, half)));
        String backward = config.opt("backward_layer").isPresent() ? "backward_layer" : "layer";
        out.addAll(sublayer(dialect, layerName, "backward_layer/", config, backward, names.subList(half, names.size())));
        return out;
    }

    /**
     * Four (Keras 3 with {@code use_gate}: five) EinsumDense sub-layers, created in this order by
     * {@code MultiHeadAttention._build_from_signature} / {@code build}, each with a kernel and, with {@code use_bias},
     * a bias.
     */
    private static List<String> multiHeadAttention(Dialect dialect, String layerName, JsonObject config, List<String> names) {
        boolean gate = config.getBoolean("use_gate", false);
        if (gate && dialect != Dialect.KERAS3) {
            throw new UnsupportedModelException("MultiHeadAttention layer '" + layerName
                    + "' uses a gate (use_gate), which tf.keras 2 does not have: write it in the Keras 3 layout");
        }
        List<String> sublayers = gate ? List.of("_query_dense", "_key_dense", "_gate_dense", "_value_dense", "_output_dense")
                : List.of("_query_dense", "_key_dense", "_value_dense", "_output_dense");
        int each = config.getBoolean("use_bias", true) ? 2 : 1;
        if (names.size() != sublayers.size() * each) {
            throw new UnsupportedModelException("MultiHeadAttention layer '" + layerName + "' has " + names.size()
                    + " weights; its configuration implies " + sublayers.size() * each);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < sublayers.size(); i++) {
            List<String> own = names.subList(i * each, (i + 1) * each);
            out.addAll(prefixed(sublayers.get(i) + "/", paths(dialect, layerName, "EinsumDense", JsonObject.EMPTY, own)));
        }
        return out;
    }

    private static List<String> sublayer(Dialect dialect, String layerName, String prefix, JsonObject config, String key,
            List<String> names) {
        JsonObject inner = wrapped(layerName, config, key);
        JsonObject innerConfig = inner.opt("config").filter(JsonValue::isObject).map(JsonValue::asObject).orElse(JsonObject.EMPTY);
        return prefixed(prefix, paths(dialect, layerName, inner.getString("class_name", ""), innerConfig, names));
    }

    private static JsonObject wrapped(String layerName, JsonObject config, String key) {
        return config.opt(key).filter(JsonValue::isObject).map(JsonValue::asObject)
                .orElseThrow(() -> new UnsupportedModelException("layer '" + layerName + "' has no '" + key
                        + "' in its configuration, so the layer owning its weights is unknown"));
    }

    private static List<String> prefixed(String prefix, List<String> names) {
        return names.stream().map(n -> prefix + n).toList();
    }

    private static UnsupportedModelException unsupported(String layerName, String cls, String what) {
        return new UnsupportedModelException("writing checkpoints of " + cls + " layers ('" + layerName
                + "') is not supported yet: keras4j does not lay out " + what);
    }
}
