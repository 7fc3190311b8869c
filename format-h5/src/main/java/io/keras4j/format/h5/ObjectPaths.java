package io.keras4j.format.h5;

import io.keras4j.model.Layer;
import io.keras4j.core.LayerCatalogue;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 3's object paths ({@code saving_lib._save_state}): where each layer's variables live in a
 * {@code .weights.h5}. Functional and Sequential models list {@code model.layers} under {@code layers/}, each named
 * {@code snake_case(ClassName)} made unique with {@code _1}, {@code _2}, … in layer order; a layer's own variables are
 * {@code <path>/vars/0..n-1}; composite layers keep theirs in sub-objects ({@code cell}, {@code forward_layer/cell},
 * {@code layer}, the four MultiHeadAttention dense layers). Sequential's {@code layers} excludes its InputLayer.
 */
final class ObjectPaths {
    /** Keras's RNN subclasses keep their weights in a {@code cell} object (the catalogue's recurrent layers). */
    private static boolean isRnn(String className) {
        return LayerCatalogue.keras().is(className, LayerCatalogue.LayerClass::isRecurrent);
    }

    private ObjectPaths() {}

    /** One layer and the var groups holding its weights, in the layer's weight order. */
    record Placement(Layer layer, String path, List<String> varGroups) {}

    /** Every layer (nested models descended into) with its path, in Keras's visiting order. */
    static List<Placement> placements(Model model, String prefix) {
        List<Placement> out = new ArrayList<>();
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : savedLayers(model)) {
            String path = prefix + "layers/" + uniqueName(snakeCase(kerasClass(layer)), used);
            if (layer.nestedModel().isPresent()) {
                out.add(new Placement(layer, path, List.of()));
                out.addAll(placements(layer.nestedModel().get(), path + "/"));
            } else {
                List<String> groups = new ArrayList<>();
                for (String part : parts(layer)) groups.add(part.isEmpty() ? path + "/vars" : path + "/" + part + "/vars");
                out.add(new Placement(layer, path, groups));
            }
        }
        return out;
    }

    /** Keras 3's {@code model.layers}: a Sequential hides its InputLayer. */
    static List<Layer> savedLayers(Model model) {
        if (!model.isSequential()) return model.layers();
        return model.layers().stream().filter(l -> !l.className().equals("InputLayer")).toList();
    }

    /** Sub-objects holding a composite layer's variables, in the order {@code layer.weights} lists them. */
    static List<String> parts(Layer layer) {
        String cls = layer.className();
        if (isRnn(cls)) return rnnCellParts(layer);
        switch (cls) {
            case "SpectralNormalization":
                return List.of("", "layer");
            case "GroupQueryAttention", "GroupedQueryAttention": {
                // Keras 3 keeps the projections under their attribute names; a gated layer adds _gate_dense (not mapped).
                if (layer.config().getBoolean("use_gate", false)) return List.of("");
                return List.of("_query_dense", "_key_dense", "_value_dense", "_output_dense");
            }
            case "Bidirectional": {
                boolean rnn = isRnn(layer.config().getObject("layer").getString("class_name", "LSTM"));
                return rnn ? List.of("forward_layer/cell", "backward_layer/cell") : List.of("forward_layer", "backward_layer");
            }
            case "TimeDistributed": {
                boolean rnn = isRnn(layer.config().getObject("layer").getString("class_name", ""));
                return List.of(rnn ? "layer/cell" : "layer");
            }
            case "MultiHeadAttention":
                return List.of("query_dense", "key_dense", "value_dense", "output_dense");
            default:
                return List.of("");
        }
    }

    /**
     * An RNN's cell, or for {@code StackedRNNCells} each stacked cell under {@code cell/cells/}, named by its class
     * in snake case made unique in stacking order, as Keras 3's {@code _save_state} names list items.
     */
    private static List<String> rnnCellParts(Layer layer) {
        io.keras4j.json.JsonValue cell = layer.config().get("cell");
        if (!cell.isObject() || !"StackedRNNCells".equals(cell.asObject().getString("class_name", ""))) return List.of("cell");
        List<String> out = new ArrayList<>();
        Map<String, Integer> used = new HashMap<>();
        for (io.keras4j.json.JsonValue c : cell.asObject().getObject("config").getArray("cells")) {
            out.add("cell/cells/" + uniqueName(snakeCase(c.asObject().getString("class_name", "")), used));
        }
        return out;
    }

    /**
     * The Python class name: Keras 2 spells the functional class {@code Model}, Keras 3 builds a {@code Functional};
     * Keras 3 serializes {@code GroupedQueryAttention} as {@code GroupQueryAttention}.
     */
    private static String kerasClass(Layer layer) {
        String cls = layer.className();
        cls = cls.substring(cls.lastIndexOf('>') + 1); // a registered name "package>Class" names the Python class
        if (cls.equals("GroupQueryAttention")) return "GroupedQueryAttention";
        return cls.equals("Model") ? "Functional" : cls;
    }

    /** {@code keras.src.utils.naming.to_snake_case}. */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code saving_lib._get_unique_name}. */
    static String uniqueName(String name, Map<String, Integer> used) {
        Integer n = used.get(name);
        if (n == null) {
            used.put(name, 0);
            return name;
        }
        used.put(name, n + 1);
        return name + "_" + (n + 1);
    }

    /**
     * A layer's weights from its var groups, in {@code layer.weights} order. Keras 3's {@code SpectralNormalization}
     * saves its own vars {@code [kernel, vector_u]} (the kernel is the wrapped layer's variable, tracked twice) and
     * the wrapped layer's {@code [kernel, ...]}; {@code layer.weights} lists each variable once:
     * {@code [kernel, vector_u, ...]}. Other layers: the groups concatenated.
     */
    static List<Weight> merge(Layer layer, List<List<Weight>> groups) {
        List<Weight> out = new ArrayList<>();
        if (isSpectral(layer) && groups.size() == 2 && groups.get(0).size() == 2 && !groups.get(1).isEmpty()) {
            out.add(groups.get(1).get(0));
            out.add(groups.get(0).get(1));
            out.addAll(groups.get(1).subList(1, groups.get(1).size()));
            return out;
        }
        groups.forEach(out::addAll);
        return out;
    }

    /** The var groups of a layer whose groups share a variable ({@link #merge} reversed), or {@code null}. */
    static List<List<Weight>> splitShared(Layer layer, List<Weight> weights) {
        if (!isSpectral(layer) || weights.size() < 2) return null;
        weights = spectralWeightsOrder(layer, weights);
        List<Weight> inner = new ArrayList<>();
        inner.add(weights.get(0));
        inner.addAll(weights.subList(2, weights.size()));
        return List.of(List.of(weights.get(0), weights.get(1)), inner);
    }

    private static boolean isSpectral(Layer layer) { return layer.className().equals("SpectralNormalization"); }

    /**
     * A SpectralNormalization's weights in Keras 3's {@code layer.weights} order {@code [kernel, vector_u, ...]}, from
     * tf.keras's or a Keras 3 legacy .h5's order {@code [kernel, ..., vector_u]} (trainable variables first) when
     * {@code vector_u} is named; other layers' weights unchanged.
     */
    static List<Weight> spectralWeightsOrder(Layer layer, List<Weight> weights) {
        int vector = vectorIndex(layer, weights);
        if (vector <= 1) return weights;
        List<Weight> out = new ArrayList<>(weights);
        out.add(1, out.remove(vector));
        return out;
    }

    /** The inverse of {@link #spectralWeightsOrder}: Keras 3's legacy .h5 lists {@code vector_u} (not trainable) last. */
    static List<Weight> spectralLegacyOrder(Layer layer, List<Weight> weights) {
        if (!isSpectral(layer) || weights.size() < 3) return weights;
        int vector = vectorIndex(layer, weights);
        if (vector < 0) vector = 1; // unnamed: layer.weights order
        List<Weight> out = new ArrayList<>(weights);
        out.add(out.remove(vector));
        return out;
    }

    private static int vectorIndex(Layer layer, List<Weight> weights) {
        if (!isSpectral(layer)) return -1;
        for (int i = 0; i < weights.size(); i++) if (weights.get(i).shortName().equals("vector_u")) return i;
        return -1;
    }

    /** Keras 3 short variable names by class, for files that store only indices; the index when unknown. */
    static List<String> variableNames(Layer layer, int count) {
        List<String> known = knownNames(layer);
        if (known.size() == count) return known;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(String.valueOf(i));
        return out;
    }

    /** The variables a layer of a built-in class has, honouring use_bias, center and scale. */
    private static List<String> knownNames(Layer layer) {
        boolean bias = layer.useBias();
        List<String> n = new ArrayList<>();
        switch (layer.className()) {
            case "Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                    "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D" -> { n.add("kernel"); if (bias) n.add("bias"); }
            case "SeparableConv1D", "SeparableConv2D" -> {
                n.add("depthwise_kernel"); n.add("pointwise_kernel"); if (bias) n.add("bias");
            }
            case "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D" -> {
                n.add("kernel"); n.add("recurrent_kernel"); if (bias) n.add("bias");
            }
            case "Bidirectional" -> { for (int i = 0; i < 2; i++) { n.add("kernel"); n.add("recurrent_kernel"); n.add("bias"); } }
            case "MultiHeadAttention" -> { for (int i = 0; i < 4; i++) { n.add("kernel"); if (bias) n.add("bias"); } }
            case "BatchNormalization" -> {
                if (layer.config().getBoolean("scale", true)) n.add("gamma");
                if (layer.config().getBoolean("center", true)) n.add("beta");
                n.add("moving_mean"); n.add("moving_variance");
            }
            case "LayerNormalization", "GroupNormalization" -> {
                if (layer.config().getBoolean("scale", true)) n.add("gamma");
                if (layer.config().getBoolean("center", true)) n.add("beta");
            }
            case "Embedding" -> n.add("embeddings");
            case "PReLU" -> n.add("alpha");
            case "Normalization" -> {
                // Adapted statistics; a layer given its mean and variance in the config has no variables.
                if (layer.config().get("mean").isNull()) { n.add("mean"); n.add("variance"); n.add("count"); }
            }
            case "Attention" -> {
                if (layer.config().getBoolean("use_scale", false)) n.add("scale");
                if ("concat".equals(layer.config().getString("score_mode", "dot"))) n.add("concat_score_weight");
            }
            case "AdditiveAttention" -> { if (layer.config().getBoolean("use_scale", true)) n.add("scale"); }
            case "TimeDistributed" -> {
                // The wrapped layer owns the variables (Keras 3 saves them under the wrapper, by index).
                io.keras4j.json.JsonValue inner = layer.config().get("layer");
                if (inner.isObject() && inner.asObject().get("config").isObject()) {
                    n.addAll(knownNames(Layer.builder(layer.name(), inner.asObject().getString("class_name", ""))
                            .config(inner.asObject().getObject("config")).build()));
                }
            }
            default -> { }
        }
        return n;
    }
}
