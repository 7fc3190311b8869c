package io.keras4j.format.checkpoint;

import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph.Attribute;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph.Child;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph.Node;
import io.keras4j.model.Dialect;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Keras layers and their variables in a checkpoint's object graph. Two layouts exist:
 * <ul>
 * <li>tf.keras 2 ({@code model.save_weights}): the model is the root (or the {@code model} child of a
 *     {@code tf.train.Checkpoint}); its children {@code layer_with_weights-N} are the layers that have weights, in
 *     {@code model.layers} order.</li>
 * <li>Keras 3 ({@code tf.train.Checkpoint(model=m)}): {@code model/_operations/I} (Functional) or
 *     {@code model/_functional/_operations/I} (Sequential) are the model's operations, InputLayer included.</li>
 * </ul>
 * A variable may be saved under another path (TensorFlow saves each variable once, under the first path its
 * breadth-first walk meets, e.g. {@code model/optimizer/_trainable_variables/0}); walking the graph by node id
 * rather than matching key strings finds it either way.
 */
final class KerasLayout {
    private static final Pattern LAYER_WITH_WEIGHTS = Pattern.compile("layer_with_weights-(\\d+)");
    private static final Pattern LAYER = Pattern.compile("layer-(\\d+)");

    /** A layer's node, the path that reaches it, and its variables in Keras's {@code layer.weights} order. */
    record LayerNode(String path, int nodeId, List<Variable> variables) {}

    /** A layer's position: in tf.keras's {@code model.layers} (Keras 2) or the model's operations (Keras 3). */
    record LayerSlot(int index, String path, int nodeId) {}

    /** A variable: its path below the layer, Keras's name for it and the bundle key of its value. */
    record Variable(String localPath, String fullName, String checkpointKey, boolean trainable) {
        String shortName() { return io.keras4j.model.Weight.shortName(fullName.isEmpty() ? localPath : fullName).replaceFirst("^_", ""); }
    }

    private final TrackableObjectGraph graph;
    private final Dialect dialect;
    private final int modelNode;
    private final String modelPath;

    private KerasLayout(TrackableObjectGraph graph, Dialect dialect, int modelNode, String modelPath) {
        this.graph = graph;
        this.dialect = dialect;
        this.modelNode = modelNode;
        this.modelPath = modelPath;
    }

    /** The Keras layout of the graph, or empty when it holds no Keras model (a bare tf.Module, a TF1 checkpoint). */
    static Optional<KerasLayout> of(TrackableObjectGraph graph) {
        return at(graph, 0, "").or(() -> graph.root().child("model").flatMap(m -> at(graph, m, "model/")));
    }

    /** The layout of a layer that is itself a model (a nested Sequential or Functional), if it is one. */
    Optional<KerasLayout> nested(LayerSlot slot) { return at(graph, slot.nodeId(), slot.path() + "/"); }

    private static Optional<KerasLayout> at(TrackableObjectGraph graph, int nodeId, String path) {
        Node m = graph.node(nodeId);
        if (hasLayerChildren(m)) return Optional.of(new KerasLayout(graph, Dialect.KERAS2, nodeId, path));
        if (m.child("_operations").isPresent() || m.child("_functional").isPresent()) {
            return Optional.of(new KerasLayout(graph, Dialect.KERAS3, nodeId, path));
        }
        return Optional.empty();
    }

    private static boolean hasLayerChildren(Node n) {
        return n.children().stream().anyMatch(c -> c.localName().startsWith("layer_with_weights-") || c.localName().startsWith("layer-"));
    }

    Dialect dialect() { return dialect; }

    /**
     * Every layer in model order with its index: {@code layer-N} of tf.keras (whose Sequential omits the InputLayer),
     * or {@code _operations/N} of Keras 3 (whose Sequential starts with one).
     */
    List<LayerSlot> layers() {
        List<LayerSlot> out = new ArrayList<>();
        if (dialect == Dialect.KERAS2) {
            for (Child c : graph.node(modelNode).children()) {
                Matcher m = LAYER.matcher(c.localName());
                if (m.matches()) out.add(new LayerSlot(Integer.parseInt(m.group(1)), modelPath + c.localName(), c.nodeId()));
            }
            out.sort(Comparator.comparingInt(LayerSlot::index));
        } else {
            operations().ifPresent(ops -> {
                for (Child c : graph.node(ops).children()) {
                    out.add(new LayerSlot(Integer.parseInt(c.localName()), operationsPath() + c.localName(), c.nodeId()));
                }
            });
        }
        return out;
    }

    /** A layer's variables in Keras's {@code layer.weights} order. */
    List<Variable> variables(LayerSlot slot) { return layer(slot.path(), slot.nodeId()).variables(); }

    private Optional<Integer> operations() {
        return graph.path(modelNode, "_operations").or(() -> graph.path(modelNode, "_functional", "_operations"));
    }

    private String operationsPath() {
        return modelPath + (graph.path(modelNode, "_operations").isPresent() ? "" : "_functional/") + "_operations/";
    }

    /** The layers that own variables, in model order. */
    List<LayerNode> layersWithWeights() {
        List<LayerNode> out = new ArrayList<>();
        if (dialect == Dialect.KERAS2) {
            List<Child> layers = new ArrayList<>();
            for (Child c : graph.node(modelNode).children()) {
                if (LAYER_WITH_WEIGHTS.matcher(c.localName()).matches()) layers.add(c);
            }
            layers.sort(Comparator.comparingInt(c -> index(c.localName())));
            for (Child c : layers) out.add(layer(modelPath + c.localName(), c.nodeId()));
        } else {
            for (LayerSlot slot : layers()) {
                LayerNode l = layer(slot.path(), slot.nodeId());
                if (!l.variables().isEmpty()) out.add(l);
            }
        }
        return out;
    }

    /** The optimizer's variables: its own (iterations, learning rate, slots in {@code _variables}) and legacy slots. */
    List<Variable> optimizerVariables() {
        Optional<Integer> opt = graph.node(modelNode).child("optimizer");
        if (opt.isEmpty()) return List.of();
        List<Variable> vars = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        seen.add(opt.get());
        for (Child c : graph.node(opt.get()).children()) {
            // A Keras 3 optimizer also tracks the model's own variables; those are the layers', not its state.
            if (!c.localName().equals("_trainable_variables")) collect(c.nodeId(), c.localName(), seen, vars);
        }
        for (TrackableObjectGraph.SlotVariable s : graph.node(opt.get()).slotVariables()) {
            graph.node(s.slotVariableNodeId()).variableValue().ifPresent(a -> vars.add(variable(s.slotName(), a)));
        }
        return vars;
    }

    private LayerNode layer(String path, int nodeId) {
        List<Variable> vars = new ArrayList<>();
        collect(nodeId, "", new HashSet<>(), vars);
        // Keras lists trainable weights before non-trainable ones; creation order (the graph's) within each.
        List<Variable> ordered = new ArrayList<>(vars.stream().filter(Variable::trainable).toList());
        ordered.addAll(vars.stream().filter(v -> !v.trainable()).toList());
        return new LayerNode(path, nodeId, ordered);
    }

    /** Depth-first, in child order, each node once: the order in which the layer created (tracked) its variables. */
    private void collect(int nodeId, String path, Set<Integer> seen, List<Variable> out) {
        if (!seen.add(nodeId)) return;
        Node n = graph.node(nodeId);
        Optional<Attribute> value = n.variableValue();
        if (value.isPresent()) {
            out.add(variable(path, value.get()));
            return;
        }
        for (Child c : n.children()) collect(c.nodeId(), path.isEmpty() ? c.localName() : path + "/" + c.localName(), seen, out);
    }

    private static Variable variable(String localPath, Attribute a) {
        String name = a.fullName().isEmpty() ? localPath : a.fullName();
        return new Variable(localPath, a.fullName(), a.checkpointKey(), io.keras4j.model.Weight.isTrainableName(name));
    }

    private static int index(String localName) {
        Matcher m = LAYER_WITH_WEIGHTS.matcher(localName);
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }
}
