package io.keras4j.core;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renames layers with every reference to them: their nodes' inputs, the model's inputs and outputs, the weight names
 * under the layer, in nested models too. Used by {@code keras4j edit --rename} and by the conversion to Keras 3, whose
 * layer names cannot hold '/' (tf.keras applications name layers {@code Conv/BatchNorm}).
 */
public final class LayerRenames {
    private final Map<String, String> renames;

    private LayerRenames(Map<String, String> renames) { this.renames = Map.copyOf(renames); }

    /** {@code model} with each layer named by a key of {@code renames} named by its value. */
    public static Model apply(Model model, Map<String, String> renames) {
        return renames.isEmpty() ? model : new LayerRenames(renames).rename(model);
    }

    /**
     * For Keras 3: each '/' in a layer name becomes '_' ({@code Conv/BatchNorm} to {@code Conv_BatchNorm}), with a
     * suffix when the model already has that name. The map is empty when no name holds '/'.
     */
    public static Map<String, String> slashFreeNames(Model model) {
        Set<String> taken = new HashSet<>();
        collectNames(model, taken);
        Map<String, String> renames = new LinkedHashMap<>();
        for (String name : taken.stream().sorted().toList()) {
            if (!name.contains("/")) continue;
            String base = name.replace('/', '_'), candidate = base;
            for (int i = 1; taken.contains(candidate) || renames.containsValue(candidate); i++) candidate = base + "_" + i;
            renames.put(name, candidate);
        }
        return renames;
    }

    private static void collectNames(Model m, Set<String> out) {
        for (Layer l : m.layers()) {
            out.add(l.name());
            l.nestedModel().ifPresent(inner -> collectNames(inner, out));
        }
    }

    private Model rename(Model m) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            String name = renames.getOrDefault(l.name(), l.name());
            Layer.Builder b = l.toBuilder().name(name);
            JsonObject config = name.equals(l.name()) ? l.config() : l.config().with("name", name);
            List<InboundNode> nodes = new ArrayList<>();
            for (InboundNode n : l.inboundNodes()) {
                nodes.add(new InboundNode(n.inputs().stream().map(this::rename).toList(), n.kwargs(), n.rawNode().map(this::rename).orElse(null)));
            }
            b.inboundNodes(nodes);
            if (l.nestedModel().isPresent()) {
                Model inner = rename(l.nestedModel().get());
                // A nested model is written from its own config: its name lives there.
                JsonObject innerConfig = name.equals(l.name()) ? inner.config() : inner.config().with("name", name);
                b.nestedModel(inner.toBuilder().name(name).config(innerConfig).build());
            } else {
                List<Weight> weights = new ArrayList<>();
                for (Weight w : l.weights()) {
                    String wn = w.name().startsWith(l.name() + "/") ? name + w.name().substring(l.name().length()) : w.name();
                    weights.add(new Weight(wn, w.value(), w.trainable()));
                }
                b.weights(weights);
            }
            layers.add(b.config(config).build());
        }
        JsonObject.Builder config = m.config().toBuilder();
        for (String key : List.of("input_layers", "output_layers")) if (m.config().has(key)) config.put(key, rename(m.config().get(key)));
        return m.toBuilder().layers(layers).config(config.build())
                .inputs(m.inputs().stream().map(this::rename).toList()).outputs(m.outputs().stream().map(this::rename).toList()).build();
    }

    private TensorRef rename(TensorRef r) {
        String n = renames.get(r.layer());
        return n == null ? r : new TensorRef(n, r.node(), r.tensor());
    }

    /** The same JSON with every string that is a renamed layer's name replaced (nodes and input/output lists). */
    private JsonValue rename(JsonValue v) {
        if (v.isString()) return renames.containsKey(v.asText()) ? JsonValue.of(renames.get(v.asText())) : v;
        if (v.isArray()) {
            JsonArray.Builder b = JsonArray.builder();
            for (JsonValue e : v.asArray()) b.add(rename(e));
            return b.build();
        }
        if (v.isObject()) {
            JsonObject.Builder b = JsonObject.builder();
            for (var e : v.asObject().members().entrySet()) b.put(e.getKey(), rename(e.getValue()));
            return b.build();
        }
        return v;
    }
}
