package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.KerasFile.StoredWeights;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.LoadWeightsOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Keras's {@code load_weights} for layouts keyed by layer: matches stored groups to layers by order (layers that
 * have weights, in model order) or by name, checks counts and shapes, and skips mismatches when asked.
 * Format codecs use it after turning their storage into {@link StoredWeights} groups.
 */
public final class WeightBinder {
    private WeightBinder() {}

    /** Whether Keras would count this layer among "layers with weights" (by class, when its weights are unknown). */
    public static boolean expectsWeights(Layer layer) {
        if (!layer.weights().isEmpty()) return true;
        if (layer.nestedModel().isPresent()) {
            return layer.nestedModel().get().layers().stream().anyMatch(WeightBinder::expectsWeights);
        }
        // A Keras 3 operation node (NotEqual computing a mask) is a call, not a layer: it owns nothing.
        if (layer.isOperation()) return false;
        // A wrapper (TimeDistributed(Flatten())) owns what its layer owns.
        if (layer.className().equals("TimeDistributed") && layer.config().get("layer").isObject()) {
            String inner = layer.config().getObject("layer").getString("class_name", "");
            return !LayerCatalogue.keras().is(inner, LayerCatalogue.LayerClass::weightless);
        }
        return !LayerCatalogue.keras().is(layer.className(), LayerCatalogue.LayerClass::weightless);
    }

    /**
     * Binds groups to layers. {@code expectedShapes} gives the shapes a layer needs when known (empty list when
     * unknown); by default the shapes of weights the layer already has.
     */
    public static Model bind(Model model, List<StoredWeights> groups, LoadWeightsOptions options,
                             Function<Layer, List<long[]>> expectedShapes) {
        Function<Layer, List<long[]>> shapes = expectedShapes != null ? expectedShapes
                : l -> l.weights().stream().map(w -> w.value().shape()).toList();
        List<StoredWeights> stored = groups.stream().filter(g -> !g.weights().isEmpty()).toList();
        Map<String, List<Weight>> assigned = new HashMap<>();
        if (options.byName()) {
            for (StoredWeights g : stored) {
                model.layer(g.key()).ifPresent(layer -> {
                    if (check(layer, g, shapes.apply(layer), options.skipMismatch())) assigned.put(layer.name(), g.weights());
                });
            }
        } else {
            List<Layer> targets = model.layers().stream().filter(WeightBinder::expectsWeights).toList();
            if (targets.size() != stored.size()) {
                throw new UnsupportedModelException("the weights hold " + stored.size() + " layers with weights "
                        + stored.stream().map(StoredWeights::key).toList() + " but the model has " + targets.size() + " "
                        + targets.stream().map(Layer::name).toList() + "; load by name to match what fits");
            }
            for (int i = 0; i < targets.size(); i++) {
                Layer layer = targets.get(i);
                if (check(layer, stored.get(i), shapes.apply(layer), options.skipMismatch())) {
                    assigned.put(layer.name(), stored.get(i).weights());
                }
            }
        }
        List<Layer> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            List<Weight> w = assigned.get(l.name());
            out.add(w == null ? l : withWeights(l, w));
        }
        return model.withLayers(out);
    }

    /** Sets a layer's weights; for a nested model, distributes them over its layers in order. */
    public static Layer withWeights(Layer layer, List<Weight> weights) {
        if (layer.nestedModel().isEmpty()) return layer.toBuilder().weights(weights).build();
        Model nested = layer.nestedModel().get();
        List<Layer> inner = new ArrayList<>();
        int next = 0;
        for (Layer l : nested.layers()) {
            int count = l.weights().size();
            if (count == 0 && expectsWeights(l)) {
                throw new UnsupportedModelException("cannot distribute " + weights.size() + " weights over nested model '"
                        + nested.name() + "': the weight count of its layer '" + l.name() + "' is unknown");
            }
            inner.add(count == 0 ? l : withWeights(l, weights.subList(next, Math.min(weights.size(), next + count))));
            next += count;
        }
        return layer.toBuilder().nestedModel(nested.withLayers(inner)).weights(List.of()).build();
    }

    private static boolean check(Layer layer, StoredWeights group, List<long[]> expected, boolean skip) {
        if (expected.isEmpty()) return true;
        String problem = null;
        if (expected.size() != group.weights().size()) {
            problem = "layer '" + layer.name() + "' (" + layer.className() + ") expects " + expected.size()
                    + " weights, the file has " + group.weights().size() + " under '" + group.key() + "'";
        } else {
            for (int i = 0; i < expected.size(); i++) {
                long[] found = group.weights().get(i).value().shape();
                if (!Arrays.equals(expected.get(i), found)) {
                    problem = "layer '" + layer.name() + "' (" + layer.className() + ") weight " + i + " ("
                            + group.weights().get(i).name() + ") expects shape " + Arrays.toString(expected.get(i))
                            + ", the file has " + Arrays.toString(found) + " under '" + group.key() + "'";
                    break;
                }
            }
        }
        if (problem == null) return true;
        if (skip) return false;
        throw new UnsupportedModelException(problem + "; pass skipMismatch to skip such layers");
    }
}
