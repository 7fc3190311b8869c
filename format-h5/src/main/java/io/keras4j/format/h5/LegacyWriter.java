package io.keras4j.format.h5;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.core.Dialects;
import io.keras4j.core.OptimizerSlots;
import io.keras4j.core.KerasJson;
import io.keras4j.core.TrainingConfigs;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the legacy layer-name layout: a full model ({@code model_config} + {@code model_weights} +
 * {@code optimizer_weights}) or a Keras 2 {@code save_weights} file, in the Keras 2 (tf.keras: {@code :0} names,
 * fixed-length byte strings) or Keras 3 ({@code legacy_h5_format}: plain names, variable-length strings) dialect.
 */
final class LegacyWriter {
    static final String KERAS3_VERSION = "3.15.1";
    static final String KERAS2_VERSION = "2.21.0";

    private final Dialect dialect;

    private LegacyWriter(Dialect dialect) { this.dialect = dialect == Dialect.KERAS2 ? Dialect.KERAS2 : Dialect.KERAS3; }

    static H5Group fullModel(Model model, Dialect dialect, boolean includeOptimizer, boolean allowSemanticChange) {
        LegacyWriter w = new LegacyWriter(dialect);
        Model converted = model.dialect() == w.dialect ? model : Dialects.convertForWriting(model, w.dialect, allowSemanticChange);
        H5Group.Builder root = H5Group.builder();
        w.versionAttributes(root);
        Model described = w.dialect == Dialect.KERAS3 ? withRegisteredClassNames(converted) : converted;
        KerasAttributes.putText(root, "model_config", KerasJson.toText(KerasJson.toTree(described, w.dialect), false), w.fixed());
        // Keras reads training_config only in its legacy spelling (optimizer_config); a Keras 3 compile_config is translated.
        model.trainingConfig().flatMap(tc -> TrainingConfigs.legacy(tc, w.dialect, model.name()))
                .ifPresent(tc -> KerasAttributes.putText(root, "training_config", KerasJson.toText(tc, false), w.fixed()));
        // Laid out from the source model, with any weights the conversion rescaled to keep the meaning.
        root.child("model_weights", w.layerGroups(Dialects.withCarriedWeights(model, converted), true));
        if (includeOptimizer) {
            model.optimizer().filter(o -> !o.variables().isEmpty()).ifPresent(o -> {
                List<Weight> variables = o.variables();
                if (w.dialect == Dialect.KERAS2 && OptimizerSlots.isKeras3(variables)) {
                    // tf.keras restores optimizer_weights by position: Keras 3's learning_rate variable would shift them.
                    java.util.Optional<List<Weight>> translated = OptimizerSlots.tfKerasVariables(o, trainableWeights(model));
                    if (translated.isEmpty()) {
                        String why = OptimizerSlots.noCounterpart(o).orElse("its Keras 3 " + o.config()
                                .getString("class_name", "optimizer") + " state (" + variables.size() + " variables) has no "
                                + "tf.keras equivalent keras4j can write, so training could not resume from the file");
                        throw new UnsupportedModelException("model '" + model.name() + "': " + why + "; "
                                + "write it without the optimizer state (keras4j edit IN OUT --strip-optimizer, or "
                                + "WriteOptions.withIncludeOptimizer(false))");
                    }
                    variables = translated.get();
                }
                H5Group.Builder opt = H5Group.builder();
                List<String> names = new ArrayList<>();
                PathTree tree = new PathTree();
                for (Weight v : variables) {
                    names.add(v.name());
                    tree.put(v.name(), v);
                }
                KerasAttributes.putStrings(opt, "weight_names", names, w.fixed());
                tree.into(opt);
                root.child("optimizer_weights", opt.build());
            });
        }
        return root.build();
    }

    /**
     * Keras 3's legacy HDF5 loader finds a registered custom class without a module ({@code registeredAs} in Java) only
     * under its registered name as the class name, which is how Keras 3's own {@code .h5} files spell it
     * ({@code keras4j_zoo>Scale}); with the Python module kept from a file, the class and {@code registered_name} load.
     */
    private static Model withRegisteredClassNames(Model model) {
        List<Layer> layers = new ArrayList<>();
        boolean changed = false;
        for (Layer l : model.layers()) {
            Layer out = l;
            if (l.nestedModel().isPresent()) {
                out = l.toBuilder().nestedModel(withRegisteredClassNames(l.nestedModel().get())).build();
            } else if (l.module().isEmpty() && l.customIdentity().isPresent()) {
                out = l.toBuilder().className(l.customIdentity().get().registeredName()).entry(l.entry().without("registered_name")).build();
            }
            changed |= out != l;
            layers.add(out);
        }
        return changed ? model.withLayers(layers) : model;
    }

    /** The weights tf.keras's optimizer updates, in its order, named LAYER/WEIGHT (frozen layers and statistics out). */
    private static List<Weight> trainableWeights(Model model) {
        List<Weight> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                if (l.trainable()) out.addAll(trainableWeights(l.nestedModel().get()));
                continue;
            }
            if (!l.trainable()) continue;
            for (Weight x : l.weights()) if (x.trainable()) out.add(new Weight(l.name() + "/" + x.shortName(), x.value(), true));
        }
        return out;
    }

    /** Keras 2 {@code save_weights} to {@code .h5}: the {@code model_weights} content at the root. */
    static H5Group weightsOnly(Model model, Dialect dialect) {
        return new LegacyWriter(dialect).layerGroups(model, false);
    }

    private H5Group layerGroups(Model model, boolean topLevelWeights) {
        H5Group.Builder g = H5Group.builder();
        KerasAttributes.putStrings(g, "layer_names", model.layers().stream().map(Layer::name).toList(), fixed());
        versionAttributes(g);
        NestedGroups groups = new NestedGroups();
        for (Layer layer : model.layers()) {
            // Keras 3 reads a legacy .h5 layer's weights as its trainable variables, then the others.
            Layer stored = dialect == Dialect.KERAS3 && layer.nestedModel().isEmpty()
                    ? layer.toBuilder().weights(ObjectPaths.spectralLegacyOrder(layer, layer.weights())).build() : layer;
            groups.put(layer.name(), layerGroup(stored, layerWeightNames(stored)));
        }
        groups.into(g);
        if (topLevelWeights && dialect == Dialect.KERAS3) {
            g.child("top_level_model_weights", weightGroup(model.modelWeights(), names(model.modelWeights(), "")));
        }
        return g.build();
    }

    private void versionAttributes(H5Group.Builder g) {
        KerasAttributes.putText(g, "backend", "tensorflow", fixed());
        KerasAttributes.putText(g, "keras_version", dialect == Dialect.KERAS2 ? KERAS2_VERSION : KERAS3_VERSION, fixed());
    }

    private H5Group layerGroup(Layer layer, List<String> weightNames) {
        return weightGroup(layer.weights(), weightNames);
    }

    private H5Group weightGroup(List<Weight> weights, List<String> weightNames) {
        H5Group.Builder g = H5Group.builder();
        KerasAttributes.putStrings(g, "weight_names", weightNames, fixed());
        PathTree tree = new PathTree();
        for (int i = 0; i < weights.size(); i++) tree.put(weightNames.get(i), weights.get(i));
        tree.into(g);
        return g.build();
    }

    /**
     * Weight names as the dialect's writer spelled them: {@code dense/kernel:0} (Keras 2) or {@code dense/kernel}
     * (Keras 3); nested models prefix the inner layer ({@code dense_1/kernel:0}, {@code inner/dense_1/kernel}),
     * composite layers their sub-object so names stay unique ({@code mha/query_dense/kernel}).
     */
    private List<String> layerWeightNames(Layer layer) {
        if (layer.nestedModel().isPresent()) {
            List<String> out = new ArrayList<>();
            for (Layer inner : layer.nestedModel().get().layers()) {
                String prefix = dialect == Dialect.KERAS2 ? "" : layer.name() + "/";
                for (String n : layerWeightNames(inner)) out.add(prefix + n);
            }
            return out;
        }
        List<String> parts = ObjectPaths.parts(layer);
        int per = parts.size() > 1 && layer.weights().size() % parts.size() == 0 ? layer.weights().size() / parts.size() : 0;
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < layer.weights().size(); i++) {
            String shortName = Weight.shortName(layer.weights().get(i).name());
            String part = per > 0 ? parts.get(i / per).replace("/", "_") + "/" : "";
            String name = layer.name() + "/" + part + shortName;
            if (!seen.add(name)) name = layer.name() + "/" + part + shortName + "_" + i;
            out.add(dialect == Dialect.KERAS2 ? name + ":0" : name);
        }
        return out;
    }

    private List<String> names(List<Weight> weights, String prefix) {
        List<String> out = new ArrayList<>();
        for (Weight w : weights) out.add(prefix + Weight.shortName(w.name()) + (dialect == Dialect.KERAS2 ? ":0" : ""));
        return out;
    }

    private boolean fixed() { return dialect == Dialect.KERAS2; }

    /**
     * Layer groups placed by name, where a name with '/' (tf.keras's Conv/BatchNorm) is a path of nested groups, as
     * h5py's {@code create_group} makes it: the group of layer Conv/BatchNorm is child BatchNorm of layer Conv's group,
     * whose own attributes and datasets stay beside it.
     */
    private static final class NestedGroups {
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private final Map<String, Object> children = new LinkedHashMap<>();

        void put(String path, H5Group group) {
            NestedGroups node = this;
            for (String part : path.split("/")) node = node.childGroup(part, path);
            node.merge(group, path);
        }

        private NestedGroups childGroup(String name, String path) {
            Object existing = children.get(name);
            if (existing instanceof H5Group built) {
                NestedGroups g = new NestedGroups();
                g.merge(built, path);
                children.put(name, g);
                return g;
            }
            if (existing != null && !(existing instanceof NestedGroups)) {
                throw new UnsupportedModelException("layer '" + path + "': its group would replace the dataset '" + name + "'");
            }
            return (NestedGroups) children.computeIfAbsent(name, k -> new NestedGroups());
        }

        private void merge(H5Group group, String path) {
            group.attributes().forEach((k, v) -> {
                if (attributes.put(k, v) != null) {
                    throw new UnsupportedModelException("layer '" + path + "': two layers would write attribute '" + k + "' of one group");
                }
            });
            group.children().forEach((k, v) -> {
                if (v instanceof H5Group sub) childGroup(k, path).merge(sub, path);
                else if (children.putIfAbsent(k, v) != null) {
                    throw new UnsupportedModelException("layer '" + path + "': two layers would write '" + k + "' of one group");
                }
            });
        }

        void into(H5Group.Builder g) {
            attributes.forEach((k, v) -> g.attribute(k, (io.keras4j.format.h5.hdf5.H5Attribute) v));
            children.forEach((k, v) -> {
                if (v instanceof NestedGroups n) {
                    H5Group.Builder child = H5Group.builder();
                    n.into(child);
                    g.child(k, child.build());
                } else {
                    g.child(k, (io.keras4j.format.h5.hdf5.H5Node) v);
                }
            });
        }
    }

    /** Datasets placed at slash paths below a group, creating the intermediate groups. */
    private static final class PathTree {
        private final Map<String, Object> children = new LinkedHashMap<>();

        @SuppressWarnings("unchecked")
        void put(String path, Weight w) {
            String[] parts = path.split("/");
            Map<String, Object> node = children;
            for (int i = 0; i < parts.length - 1; i++) {
                node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            }
            node.put(parts[parts.length - 1], w);
        }

        void into(H5Group.Builder g) { fill(g, children); }

        @SuppressWarnings("unchecked")
        private static void fill(H5Group.Builder g, Map<String, Object> node) {
            node.forEach((k, v) -> {
                if (v instanceof Weight w) {
                    g.child(k, H5Dataset.of(w.value()));
                } else {
                    H5Group.Builder child = H5Group.builder();
                    fill(child, (Map<String, Object>) v);
                    g.child(k, child.build());
                }
            });
        }
    }
}
