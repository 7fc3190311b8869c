package io.keras4j.cli;

import io.keras4j.Keras4jException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.WeightShapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Keras's shape check of {@code load_weights} for an architecture that holds no weights yet (a JSON config): the
 * codecs then have nothing to compare the file's tensors with, so the shapes the runtime infers from the config are
 * checked here, failing on a mismatch or, with {@code --skip-mismatch}, leaving that layer without weights.
 */
final class ArchitectureShapes {
    private ArchitectureShapes() {}

    static Model check(Model architecture, Model loaded, Path weightsFile, boolean skipMismatch) {
        Map<String, List<long[]>> expected;
        try {
            expected = WeightShapes.of(architecture);
        } catch (Keras4jException e) {
            return loaded; // layers the runtime cannot build (custom, Lambda): their shapes are unknown, as before
        }
        return check(loaded, expected, weightsFile, skipMismatch);
    }

    private static Model check(Model model, Map<String, List<long[]>> expected, Path weightsFile, boolean skipMismatch) {
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : model.layers()) {
            // A nested model's weights are expected as one list under its own name, in its layers' order.
            String problem = mismatch(layer, expected.getOrDefault(layer.name(), List.of()));
            if (problem == null) {
                layers.add(layer);
            } else if (skipMismatch) {
                layers.add(layer.nestedModel().isPresent()
                        ? layer.toBuilder().nestedModel(withoutWeights(layer.nestedModel().get())).build()
                        : layer.toBuilder().weights(List.of()).build());
            } else {
                throw new UnsupportedModelException(weightsFile + ": " + problem + "; pass --skip-mismatch to skip such layers");
            }
        }
        return model.withLayers(layers);
    }

    private static Model withoutWeights(Model m) {
        return m.withLayers(m.layers().stream().map(l -> l.nestedModel().isPresent()
                ? l.toBuilder().nestedModel(withoutWeights(l.nestedModel().get())).build()
                : l.toBuilder().weights(List.of()).build()).toList());
    }

    private static String mismatch(Layer layer, List<long[]> want) {
        List<io.keras4j.model.Weight> weights = layer.nestedModel().map(Model::weights).orElse(layer.weights());
        List<long[]> got = weights.stream().map(w -> w.value().shape()).toList();
        if (got.isEmpty()) return null;
        String which = "layer '" + layer.name() + "' (" + layer.className() + ")";
        if (want.size() != got.size()) {
            return which + " expects " + want.size() + " weights, the file has " + got.size();
        }
        for (int i = 0; i < want.size(); i++) {
            if (!Arrays.equals(want.get(i), got.get(i))) {
                return which + " weight " + i + " (" + weights.get(i).name() + ") expects shape "
                        + Arrays.toString(want.get(i)) + ", the file has " + Arrays.toString(got.get(i));
            }
        }
        return null;
    }
}
