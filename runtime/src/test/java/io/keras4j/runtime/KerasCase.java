package io.keras4j.runtime;

import io.keras4j.format.json.KerasJson;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.model.WeightBinder;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
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
            Model architecture = KerasJson.readModel(Files.readString(dir.resolve("model.json")), dir.resolve("model.json"));
            Map<String, Tensor> stored = Npy.readNpz(dir.resolve("weights.npz"));
            List<Layer> layers = new ArrayList<>();
            for (Layer layer : architecture.layers()) {
                List<Weight> weights = new ArrayList<>();
                for (int i = 0; stored.containsKey(layer.name() + "/" + i); i++) {
                    weights.add(Weight.of(layer.name() + "/" + i, stored.get(layer.name() + "/" + i)));
                }
                layers.add(weights.isEmpty() ? layer : bind(layer, weights));
            }
            return new KerasCase(name, architecture.withLayers(layers), numbered(dir, "inputs_"), numbered(dir, "outputs_"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
