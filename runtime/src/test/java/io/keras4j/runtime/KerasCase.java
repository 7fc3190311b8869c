package io.keras4j.runtime;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.core.WeightBinder;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.KerasWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model written by real Keras with its reference predictions: model.json, weights.npz ("layer/i" keys, Keras
 * order), inputs_i.npy and outputs_i.npy. Both the zoo and this module's layer cases use the layout.
 */
record KerasCase(String name, Model model, List<Tensor> inputs, List<Tensor> expected) {

    static KerasCase load(Path dir, String name) {
        try {
            Path json = dir.resolve("model.json");
            Model architecture = KerasJson.readModel(wrapFlatNodes(KerasJson.parse(Files.readString(json), json)), json);
            Map<String, Tensor> stored = Npy.readNpz(dir.resolve("weights.npz"));
            List<Layer> layers = new ArrayList<>();
            for (Layer layer : architecture.layers()) {
                List<Weight> weights = KerasWeights.of(stored, layer.name());
                layers.add(weights.isEmpty() ? layer : bind(layer, weights));
            }
            return new KerasCase(name, architecture.withLayers(layers), numbered(dir, "inputs_"), numbered(dir, "outputs_"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * tf.keras writes a TFOpLambda call on one tensor as a flat node {@code ["x", 0, 0, {kwargs}]} rather than a list
     * of such tensors; format-json does not read that form yet, so the test wraps it (a no-op for other nodes).
     */
    private static JsonValue wrapFlatNodes(JsonValue top) {
        JsonObject config = top.asObject().getObject("config");
        if (!config.get("layers").isArray()) return top;
        JsonArray.Builder layers = JsonArray.builder();
        for (JsonValue layer : config.getArray("layers")) {
            JsonArray.Builder nodes = JsonArray.builder();
            for (JsonValue node : layer.asObject().getArray("inbound_nodes")) {
                boolean flat = node.isArray() && !node.asArray().isEmpty() && node.asArray().get(0).isString();
                nodes.add(flat ? JsonArray.of(node) : node);
            }
            layers.add(layer.asObject().has("inbound_nodes") ? layer.asObject().with("inbound_nodes", nodes.build()) : layer);
        }
        return top.asObject().with("config", config.with("layers", layers.build()));
    }

    /** A nested model's weights come as one list: its layers' counts come from shape inference. */
    private static Layer bind(Layer layer, List<Weight> weights) {
        if (layer.nestedModel().isEmpty()) return layer.toBuilder().weights(weights).build();
        Model nested = layer.nestedModel().get();
        Map<String, List<long[]>> shapes = WeightShapes.of(nested);
        List<Layer> inner = new ArrayList<>();
        int next = 0;
        for (Layer l : nested.layers()) {
            int count = shapes.getOrDefault(l.name(), List.of()).size();
            inner.add(count == 0 ? l : bind(l, weights.subList(next, next + count)));
            next += count;
        }
        return WeightBinder.withWeights(layer.toBuilder().nestedModel(nested.withLayers(inner)).build(), weights);
    }

    private static List<Tensor> numbered(Path dir, String prefix) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve(prefix + i + ".npy")); i++) out.add(Npy.read(dir.resolve(prefix + i + ".npy")));
        return out;
    }

    @Override public String toString() { return name; }
}
