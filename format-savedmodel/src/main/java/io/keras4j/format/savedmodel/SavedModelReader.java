package io.keras4j.format.savedmodel;

import io.keras4j.CorruptModelException;
import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.core.KerasJson;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.ObjectReference;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.json.JsonObject;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Provenance;
import io.keras4j.model.Weight;
import io.keras4j.core.WeightBinder;
import io.keras4j.spi.ReadOptions;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a SavedModel directory. A tf.keras SavedModel becomes its Keras model: the architecture from the root's
 * {@code model_config}, each layer's weights from its object-graph node ({@code layer-N} children of the root,
 * matched by the layer name in their metadata; {@code variables} lists them in Keras's {@code layer.weights} order)
 * and the variables checkpoint. Any other SavedModel (a Keras 3 {@code export()}, a bare {@code tf.Module}) is
 * reported as its signatures and variables, without a model.
 */
final class SavedModelReader {
    private final SavedModelDir dir;
    private final SavedObjectGraph graph;
    private final KerasMetadata keras;
    private final VariableKeys keys;
    private final Function<String, Tensor> load;

    private SavedModelReader(SavedModelDir dir, SavedObjectGraph graph, KerasMetadata keras, VariableKeys keys,
                             Function<String, Tensor> load) {
        this.dir = dir;
        this.graph = graph;
        this.keras = keras;
        this.keys = keys;
        this.load = load;
    }

    static KerasFile read(Path source, ReadOptions options) {
        SavedModelDir dir = SavedModelDir.open(source);
        MetaGraphDef metaGraph = dir.metaGraph();
        SavedObjectGraph graph = metaGraph.getObjectGraphDef();
        KerasMetadata keras = KerasMetadata.of(dir, graph);
        int variableCount = (int) graph.getNodesList().stream().filter(n -> n.getKindCase() == SavedObject.KindCase.VARIABLE).count();
        BundleReader bundle = variableCount > 0 || dir.hasVariables() ? dir.openVariables(variableCount) : null;
        try {
            VariableKeys keys = bundle != null && bundle.hasObjectGraph() ? VariableKeys.map(graph, bundle.objectGraph()) : VariableKeys.none();
            Function<String, Tensor> load = bundle == null ? k -> { throw new IllegalStateException(k); }
                    : options.withWeights() ? bundle::read : bundle::readLazily;
            SavedModelReader reader = new SavedModelReader(dir, graph, keras, keys, load);
            KerasFile.Builder file = KerasFile.builder(SavedModelCodec.NAME, source)
                    .details(SavedModelDetails.of(dir, metaGraph, keras, keys))
                    .provenance(new Provenance(keras.rootString("keras_version").orElse(null),
                            keras.rootString("backend").orElse(keras.source() == KerasMetadata.Source.NONE ? "tensorflow" : null),
                            SavedModelCodec.NAME));
            Optional<JsonObject> config = keras.modelConfig();
            if (config.isPresent()) {
                file.model(reader.model(config.get(), source));
            } else {
                reader.storedWeights().forEach(file::addStoredWeights);
            }
            return file.build();
        } finally {
            if (bundle != null) bundle.close();
        }
    }

    private Model model(JsonObject modelConfig, Path source) {
        Model arch = KerasJson.readModel(modelConfig, source, SavedModelCodec.NAME);
        // Keras metadata with a model config but an object graph without its root node (Jazzer's finding)
        if (!validNode(0)) {
            throw CorruptModelException.in(dir.dir()).codec(SavedModelCodec.NAME).at("object_graph_def")
                    .because("the object graph has no root node, though keras_metadata.pb describes a model");
        }
        Model.Builder b = bind(arch, 0).toBuilder()
                .provenance(new Provenance(keras.rootString("keras_version").orElse(null),
                        keras.rootString("backend").orElse(null), SavedModelCodec.NAME));
        keras.trainingConfig().ifPresent(b::trainingConfig);
        return b.build();
    }

    /** Gives each layer of {@code model} the variables of its node among {@code modelNode}'s {@code layer-N} children. */
    private Model bind(Model model, int modelNode) {
        Map<String, Integer> nodeByName = layerNodes(modelNode);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : model.layers()) {
            Integer node = nodeByName.get(layer.name());
            if (node == null) {
                if (WeightBinder.expectsWeights(layer) && !layer.className().equals("InputLayer")) {
                    throw CorruptModelException.in(dir.dir()).codec(SavedModelCodec.NAME).at("object_graph_def")
                            .because("layer '" + layer.name() + "' of the model config has no node in the object graph");
                }
                layers.add(layer);
            } else if (layer.nestedModel().isPresent() && !layerNodes(node).isEmpty()) {
                layers.add(layer.toBuilder().nestedModel(bind(layer.nestedModel().get(), node)).weights(List.of()).build());
            } else {
                List<Weight> weights = variablesOf(node, layer.name());
                layers.add(weights.isEmpty() ? layer : WeightBinder.withWeights(layer, weights));
            }
        }
        return model.withLayers(layers);
    }

    /** The {@code layer-N} children of a model node by the layer name their metadata gives. */
    private Map<String, Integer> layerNodes(int modelNode) {
        Map<String, Integer> out = new HashMap<>();
        for (ObjectReference c : graph.getNodes(modelNode).getChildrenList()) {
            if (!c.getLocalName().startsWith("layer-") || !validNode(c.getNodeId())) continue;
            keras.layerName(c.getNodeId()).ifPresent(name -> out.putIfAbsent(name, c.getNodeId()));
        }
        return out;
    }

    /**
     * A layer's variables in {@code layer.weights} order: its {@code variables} list when saved, else its variable
     * children depth first.
     */
    private List<Weight> variablesOf(int layerNode, String where) {
        List<Integer> ids = new ArrayList<>();
        Optional<Integer> list = child(layerNode, "variables");
        if (list.isPresent()) {
            for (ObjectReference c : graph.getNodes(list.get()).getChildrenList()) ids.add(c.getNodeId());
        } else {
            collectVariables(layerNode, new HashSet<>(), ids);
        }
        List<Weight> out = new ArrayList<>();
        for (int id : ids) out.add(weight(id, where));
        return out;
    }

    private void collectVariables(int node, Set<Integer> seen, List<Integer> out) {
        if (!validNode(node) || !seen.add(node)) return;
        SavedObject n = graph.getNodes(node);
        if (n.getKindCase() == SavedObject.KindCase.VARIABLE) {
            out.add(node);
            return;
        }
        for (ObjectReference c : n.getChildrenList()) {
            if (!c.getLocalName().startsWith("_") && !c.getLocalName().equals("keras_api")) collectVariables(c.getNodeId(), seen, out);
        }
    }

    private Weight weight(int node, String where) {
        if (!validNode(node) || graph.getNodes(node).getKindCase() != SavedObject.KindCase.VARIABLE) {
            throw CorruptModelException.in(dir.dir()).codec(SavedModelCodec.NAME).at("object_graph_def/nodes/" + node)
                    .because("the variables of " + where + " list node " + node + ", which is not a variable");
        }
        var v = graph.getNodes(node).getVariable();
        String key = keys.key(node).orElseThrow(() -> CorruptModelException.in(dir.dir().resolve(SavedModelDir.VARIABLES_PREFIX))
                .codec(SavedModelCodec.NAME).at(v.getName())
                .because("variable '" + v.getName() + "' (object graph node " + node + ") has no value in the variables checkpoint"));
        return new Weight(v.getName(), load.apply(key), v.getTrainable());
    }

    /**
     * Without a Keras model: every variable once, grouped by its owner's path ({@code dense/kernel} under
     * {@code dense}), from the root's {@code variables} list when it has one (a Keras 3 export), else every variable node.
     */
    private Map<String, List<Weight>> storedWeights() {
        List<Integer> ids = new ArrayList<>();
        Optional<Integer> list = child(0, "variables");
        if (list.isPresent()) {
            for (ObjectReference c : graph.getNodes(list.get()).getChildrenList()) ids.add(c.getNodeId());
        } else {
            // No canonical list: every variable node (Keras 3 also saves copies under _all_variables, listed above).
            for (int i = 0; i < graph.getNodesCount(); i++) {
                if (graph.getNodes(i).getKindCase() == SavedObject.KindCase.VARIABLE) ids.add(i);
            }
        }
        Map<String, List<Weight>> groups = new LinkedHashMap<>();
        Set<String> seenKeys = new HashSet<>();
        for (int id : ids) {
            if (!validNode(id) || keys.key(id).isEmpty() || !seenKeys.add(keys.key(id).get())) continue;
            Weight w = weight(id, "the SavedModel");
            int slash = w.name().lastIndexOf('/');
            groups.computeIfAbsent(slash < 0 ? "variables" : w.name().substring(0, slash), k -> new ArrayList<>()).add(w);
        }
        return groups;
    }

    private Optional<Integer> child(int node, String name) {
        if (!validNode(node)) return Optional.empty();
        return graph.getNodes(node).getChildrenList().stream().filter(c -> c.getLocalName().equals(name))
                .map(ObjectReference::getNodeId).filter(this::validNode).findFirst();
    }

    private boolean validNode(int id) { return id >= 0 && id < graph.getNodesCount(); }
}
