package io.keras4j.format.h5;

import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Node;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile.StoredWeights;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The layer-name layout of Keras 1/2 {@code save_weights} files and of the {@code model_weights} group of legacy
 * full-model files: {@code layer_names} lists the layers, each layer group lists its {@code weight_names}, and each
 * name is a dataset path inside the layer group ({@code dense/kernel:0}, {@code dense_1_W}).
 */
final class LegacyLayout {
    private LegacyLayout() {}

    /** The stored groups in {@code layer_names} order, weights named as stored. */
    static List<StoredWeights> read(H5Group weightsRoot, Function<String, RuntimeException> corrupt) {
        List<StoredWeights> out = new ArrayList<>();
        for (String layerName : KerasAttributes.strings(weightsRoot, "layer_names")) {
            // tf.keras names some application layers with '/' (MobileNetV3's Conv/BatchNorm); h5py stores such a group
            // nested, as Conv then BatchNorm.
            H5Group g = weightsRoot.group(layerName).or(() -> weightsRoot.findGroup(layerName))
                    .orElseThrow(() -> corrupt.apply("layer_names lists '" + layerName + "' but there is no such group"));
            List<Weight> weights = new ArrayList<>();
            for (String weightName : KerasAttributes.strings(g, "weight_names")) {
                H5Node node = g.find(weightName).orElseThrow(() -> corrupt.apply("weight_names of '" + layerName
                        + "' lists '" + weightName + "' but there is no such dataset"));
                if (!(node instanceof H5Dataset d)) throw corrupt.apply("'" + layerName + "/" + weightName + "' is not a dataset");
                weights.add(new Weight(weightName, d.value(), Weight.isTrainableName(weightName)));
            }
            out.add(new StoredWeights(layerName, weights));
        }
        return out;
    }

    /**
     * Puts stored groups on the architecture's layers by layer name, with Keras short names; nested models get their
     * group split over their own layers (by the inner layer name inside each weight name, else in order).
     */
    static Model bind(Model architecture, List<StoredWeights> groups, Keras1Weights.Origin origin) {
        Map<String, List<Weight>> byName = new LinkedHashMap<>();
        for (StoredWeights g : groups) byName.put(g.key(), g.weights());
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : architecture.layers()) {
            List<Weight> stored = byName.get(layer.name());
            Layer bound = stored == null || stored.isEmpty() ? layer : withStored(layer, stored, origin);
            // Keras 3's legacy .h5 lists a layer's trainable variables first; layer.weights is the model's order.
            if (architecture.dialect() == Dialect.KERAS3 && bound.nestedModel().isEmpty()) {
                List<Weight> ordered = ObjectPaths.spectralWeightsOrder(bound, bound.weights());
                if (ordered != bound.weights()) bound = bound.toBuilder().weights(ordered).build();
            }
            layers.add(bound);
        }
        return architecture.withLayers(layers);
    }

    private static Layer withStored(Layer layer, List<Weight> stored, Keras1Weights.Origin origin) {
        if (layer.nestedModel().isEmpty()) {
            List<Weight> weights = origin.needsConversion() ? Keras1Weights.convert(layer, stored, origin) : shortNames(stored);
            return layer.toBuilder().weights(weights).build();
        }
        Model nested = layer.nestedModel().get();
        Map<String, List<Weight>> perInner = new LinkedHashMap<>();
        for (Weight w : stored) {
            String owner = ownerLayer(nested, w.name());
            perInner.computeIfAbsent(owner, k -> new ArrayList<>()).add(w);
        }
        List<StoredWeights> innerGroups = new ArrayList<>();
        perInner.forEach((k, v) -> innerGroups.add(new StoredWeights(k, v)));
        return layer.toBuilder().nestedModel(bind(nested, innerGroups, origin)).build();
    }

    /** The layer of {@code nested} a stored weight name belongs to: the path segment naming one of its layers. */
    private static String ownerLayer(Model nested, String weightName) {
        String[] parts = weightName.split("/");
        for (int i = parts.length - 2; i >= 0; i--) {
            if (nested.layer(parts[i]).isPresent()) return parts[i];
        }
        return parts.length > 1 ? parts[parts.length - 2] : weightName;
    }

    static List<Weight> shortNames(List<Weight> stored) {
        List<Weight> out = new ArrayList<>();
        for (Weight w : stored) out.add(new Weight(Weight.shortName(w.name()), w.value(), w.trainable()));
        return out;
    }
}
