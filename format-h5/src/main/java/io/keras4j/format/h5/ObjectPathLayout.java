package io.keras4j.format.h5;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.Dialects;
import io.keras4j.core.TrainingConfigs;
import io.keras4j.core.OptimizerSlots;
import io.keras4j.format.h5.ObjectPaths.Placement;
import io.keras4j.format.h5.hdf5.H5Attribute;
import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Node;
import io.keras4j.model.KerasFile.StoredWeights;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Weight;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Keras 3 {@code .weights.h5} layout (also {@code model.weights.h5} in a {@code .keras} archive): variables under
 * object paths ({@link ObjectPaths}), {@code <path>/vars/<i>} with decimal keys read in numeric order. TF 2.13–2.15
 * wrote {@code _layer_checkpoint_dependencies} where Keras 3 writes {@code layers}; both read.
 */
final class ObjectPathLayout {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectPathLayout.class);
    static final String LEGACY_LAYERS = "_layer_checkpoint_dependencies";

    private ObjectPathLayout() {}

    static boolean looksLike(H5Group root) {
        return root.group("layers").isPresent() || root.group(LEGACY_LAYERS).isPresent() || root.group("vars").isPresent();
    }

    /** Every var group of the file keyed by its object path ({@code layers/dense}), weights named by index. */
    static List<StoredWeights> read(H5Group root) {
        List<StoredWeights> out = new ArrayList<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(H5Group g, String path, List<StoredWeights> out) {
        for (Map.Entry<String, H5Node> e : g.children().entrySet()) {
            if (!(e.getValue() instanceof H5Group child)) continue;
            String name = e.getKey().equals(LEGACY_LAYERS) ? "layers" : e.getKey();
            if (name.equals("vars")) {
                List<Weight> vars = vars(child);
                if (!vars.isEmpty()) out.add(new StoredWeights(path.isEmpty() ? "vars" : path, vars));
            } else {
                collect(child, path.isEmpty() ? name : path + "/" + name, out);
            }
        }
    }

    /** The datasets of a {@code vars} group in numeric key order. */
    static List<Weight> vars(H5Group vars) {
        List<String> keys = new ArrayList<>(vars.children().keySet());
        keys.sort(Comparator.comparingLong(ObjectPathLayout::numericKey).thenComparing(Comparator.naturalOrder()));
        List<Weight> out = new ArrayList<>();
        for (String k : keys) {
            if (vars.children().get(k) instanceof H5Dataset d) out.add(new Weight(k, d.value(), true));
        }
        return out;
    }

    private static long numericKey(String key) {
        try {
            return Long.parseLong(key);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Keras 3 {@code load_weights}: each layer takes the vars at its object path; counts and known shapes must match. */
    static Model bind(Model architecture, H5Group root, boolean skipMismatch) {
        Map<Layer, List<Weight>> assigned = new HashMap<>();
        for (Placement p : ObjectPaths.placements(architecture, "")) {
            if (p.varGroups().isEmpty()) continue;
            List<List<Weight>> groups = new ArrayList<>();
            for (String group : p.varGroups()) groups.add(varsAt(root, group).map(ObjectPathLayout::vars).orElse(List.of()));
            Layer layer = p.layer();
            List<Weight> found = ObjectPaths.merge(layer, groups);
            String problem = mismatch(layer, p.path(), found);
            if (problem != null) {
                if (skipMismatch) continue;
                throw new UnsupportedModelException(problem + "; pass skipMismatch to skip such layers");
            }
            if (found.isEmpty()) continue;
            List<String> names = layer.weights().size() == found.size()
                    ? layer.weights().stream().map(Weight::name).toList()
                    : ObjectPaths.variableNames(layer, found.size());
            List<Weight> weights = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                weights.add(new Weight(names.get(i), found.get(i).value(), Weight.isTrainableName(names.get(i))));
            }
            assigned.put(layer, weights);
        }
        Model bound = replace(architecture, assigned);
        Model.Builder b = bound.toBuilder();
        root.group("vars").map(ObjectPathLayout::vars).filter(v -> !v.isEmpty()).ifPresent(b::modelWeights);
        root.findGroup("optimizer/vars").map(ObjectPathLayout::vars).filter(v -> !v.isEmpty()).ifPresent(v -> {
            List<Weight> named = new ArrayList<>();
            for (Weight w : v) named.add(new Weight("optimizer/vars/" + w.name(), w.value(), false));
            // The optimizer's class and arguments are in the architecture's compile settings.
            b.optimizer(new OptimizerState(architecture.optimizer().map(OptimizerState::config).filter(c -> c.size() > 0)
                    .orElseGet(() -> architecture.trainingConfig().map(TrainingConfigs::optimizerOf).orElse(null)), named));
        });
        return b.build();
    }

    private static String mismatch(Layer layer, String path, List<Weight> found) {
        List<Weight> expected = layer.weights();
        if (expected.isEmpty()) return null;
        if (expected.size() != found.size()) {
            return "layer '" + layer.name() + "' (" + layer.className() + ") expects " + expected.size()
                    + " variables, the file has " + found.size() + " at " + path;
        }
        for (int i = 0; i < expected.size(); i++) {
            long[] want = expected.get(i).value().shape();
            long[] got = found.get(i).value().shape();
            if (!Arrays.equals(want, got)) {
                return "layer '" + layer.name() + "' (" + layer.className() + ") variable " + i + " ("
                        + expected.get(i).name() + ") expects shape " + Arrays.toString(want) + ", the file has "
                        + Arrays.toString(got) + " at " + path;
            }
        }
        return null;
    }

    private static Optional<H5Group> varsAt(H5Group root, String path) {
        Optional<H5Group> g = root.findGroup(path);
        if (g.isEmpty() && path.startsWith("layers/")) g = root.findGroup(LEGACY_LAYERS + path.substring("layers".length()));
        if (g.isEmpty()) {
            // tf.keras 2.13+ .keras files name MultiHeadAttention's sub-layers by their private attributes (_query_dense).
            int cut = path.lastIndexOf('/', path.length() - "/vars".length() - 1);
            if (cut > 0 && path.endsWith("/vars") && path.charAt(cut + 1) != '_') {
                return varsAt(root, path.substring(0, cut + 1) + "_" + path.substring(cut + 1));
            }
        }
        return g;
    }

    private static Model replace(Model model, Map<Layer, List<Weight>> assigned) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                layers.add(l.toBuilder().nestedModel(replace(l.nestedModel().get(), assigned)).weights(List.of()).build());
            } else {
                List<Weight> w = assigned.get(l);
                layers.add(w == null ? l : l.toBuilder().weights(w).build());
            }
        }
        return model.withLayers(layers);
    }

    /** The Keras 3 tree of a model's weights, with {@code vars} groups named after their layers as Keras 3.15 does. */
    static H5Group write(Model source, boolean includeOptimizer) {
        // Keras 3 names a layer's group after its class (layers/conv2d); a Keras 1 model's classes (Convolution2D,
        // TimeDistributedDense) are those of Keras 2 and 3 only after conversion, which Keras 3 will read.
        Model model = source.dialect() == Dialect.KERAS1 ? Dialects.convert(source, Dialect.KERAS2) : source;
        TreeBuilder tree = new TreeBuilder();
        for (Placement p : ObjectPaths.placements(model, "")) {
            Layer layer = p.layer();
            if (p.varGroups().isEmpty()) {
                tree.vars(p.path() + "/vars", layer.name(), List.of());
                continue;
            }
            List<Weight> weights = layer.weights();
            int parts = p.varGroups().size();
            List<List<Weight>> shared = ObjectPaths.splitShared(layer, weights);
            if (shared != null) {
                for (int i = 0; i < parts; i++) tree.vars(p.varGroups().get(i), layer.name(), shared.get(i));
                continue;
            }
            if (weights.size() % parts != 0) {
                throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ") has "
                        + weights.size() + " weights, which do not split over its " + parts + " sub-layers "
                        + p.varGroups());
            }
            int per = weights.size() / parts;
            if (parts > 1) tree.vars(p.path() + "/vars", layer.name(), List.of());
            for (int i = 0; i < parts; i++) {
                tree.vars(p.varGroups().get(i), layer.name(), weights.subList(i * per, (i + 1) * per));
            }
        }
        tree.vars("vars", model.name(), model.modelWeights());
        if (includeOptimizer) {
            model.optimizer().filter(o -> !o.variables().isEmpty()).ifPresent(o -> {
                boolean keras3 = o.variables().stream().allMatch(w -> w.name().startsWith("optimizer/vars/") || w.name().matches("\\d+"));
                if (!keras3) OptimizerSlots.noCounterpart(o).ifPresent(why -> {
                    throw new UnsupportedModelException("model '" + model.name() + "': " + why + "; write it without the "
                            + "optimizer state (keras4j edit IN OUT --strip-optimizer, or WriteOptions.withIncludeOptimizer(false))");
                });
                java.util.Optional<List<Weight>> translated = keras3 ? java.util.Optional.of(o.variables())
                        : OptimizerSlots.keras3Variables(o);
                if (translated.isPresent()) {
                    tree.vars("optimizer/vars", null, translated.get());
                } else {
                    // Only the slots of the optimizers OptimizerSlots knows map one to one onto Keras 3's optimizer/vars.
                    LOG.warn("model '{}': dropping {} Keras 2 optimizer variables ({}, …); the Keras 3 weights file holds"
                            + " no optimizer state, so training resumes with a fresh optimizer", model.name(),
                            o.variables().size(), o.variables().get(0).name());
                }
            });
        }
        return tree.build();
    }

    /** Builds nested groups from slash paths. */
    private static final class TreeBuilder {
        private final Node root = new Node();

        private static final class Node {
            final Map<String, Node> groups = new java.util.LinkedHashMap<>();
            final Map<String, H5Attribute> attributes = new java.util.LinkedHashMap<>();
            final Map<String, Tensor> datasets = new java.util.LinkedHashMap<>();
        }

        void vars(String path, String name, List<Weight> weights) {
            Node n = root;
            for (String part : path.split("/")) n = n.groups.computeIfAbsent(part, k -> new Node());
            if (name != null) n.attributes.put("name", H5Attribute.string(name));
            for (int i = 0; i < weights.size(); i++) {
                Tensor v = weights.get(i).value();
                if (v.dtype() == DType.STRING) throw new UnsupportedModelException("string variables cannot be written to HDF5");
                n.datasets.put(String.valueOf(i), v);
            }
        }

        H5Group build() { return build(root); }

        private H5Group build(Node n) {
            H5Group.Builder b = H5Group.builder();
            n.attributes.forEach(b::attribute);
            n.groups.forEach((k, v) -> b.child(k, build(v)));
            n.datasets.forEach((k, v) -> b.child(k, H5Dataset.of(v)));
            return b.build();
        }
    }
}
