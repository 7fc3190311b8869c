package io.keras4j.export.tf;

import io.keras4j.format.checkpoint.bundle.TfDataTypes;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.DictValue;
import io.keras4j.tf.proto.FunctionSpec;
import io.keras4j.tf.proto.ListValue;
import io.keras4j.tf.proto.NamedTupleValue;
import io.keras4j.tf.proto.NoneValue;
import io.keras4j.tf.proto.ObjectReference;
import io.keras4j.tf.proto.PairValue;
import io.keras4j.tf.proto.SavedBareConcreteFunction;
import io.keras4j.tf.proto.SavedConcreteFunction;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.tf.proto.SavedUserObject;
import io.keras4j.tf.proto.SavedVariable;
import io.keras4j.tf.proto.StructuredValue;
import io.keras4j.tf.proto.TensorSpecProto;
import io.keras4j.tf.proto.TupleValue;
import io.keras4j.tf.proto.VersionDef;
import io.keras4j.model.Weight;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The object graph of a written SavedModel and the matching checkpoint object graph: the same nodes under the same
 * ids with the same child names, since TensorFlow restores variables by walking both in step. Node 0 is the root.
 * A variable's checkpoint key is the path of the first route a breadth-first walk from the root meets, as TensorFlow
 * names it ({@code layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE}).
 */
final class SavedObjects {
    /** A signature argument or result: its key and value. */
    record Spec(String key, Tensor value) {}

    /** A variable's value and the key the checkpoint stores it under. */
    record CheckpointEntry(String key, Weight weight) {}

    private static final VersionDef USER_OBJECT_VERSION = VersionDef.newBuilder().setProducer(1).setMinConsumer(1).build();
    private static final String VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE";

    private sealed interface Kind permits UserObject, Variable, BareFunction {}

    private record UserObject(String identifier) implements Kind {}

    private record Variable(Weight weight, String name) implements Kind {}

    private record BareFunction(SavedBareConcreteFunction function) implements Kind {}

    private record Node(Kind kind, Map<String, Integer> children) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, SavedConcreteFunction> concreteFunctions = new LinkedHashMap<>();

    SavedObjects(String rootIdentifier) { userObject(rootIdentifier); }

    int size() { return nodes.size(); }

    /** A Python object TensorFlow revives by its identifier ({@code _tf_keras_layer}, {@code trackable_list_wrapper}, ...). */
    int userObject(String identifier) { return add(new UserObject(identifier)); }

    /** A variable of its weight's dtype; {@code name} is what TensorFlow shows ({@code dense/kernel}). */
    int variable(Weight weight, String name) { return add(new Variable(weight, name)); }

    void child(int parent, String localName, int child) {
        Integer previous = nodes.get(parent).children().putIfAbsent(localName, child);
        if (previous != null && previous != child) {
            throw new IllegalStateException("node " + parent + " already has a child '" + localName + "'");
        }
    }

    /**
     * The root's {@code signatures} map with one {@code serving_default} concrete function bound to the given
     * variable nodes, in the order of the function's resource arguments.
     */
    void servingSignature(String function, List<Spec> inputs, List<Spec> outputs, List<Integer> boundVariables) {
        int map = userObject("signature_map");
        child(0, "signatures", map);
        SavedBareConcreteFunction.Builder bare = SavedBareConcreteFunction.newBuilder().setConcreteFunctionName(function)
                .setAllowedPositionalArguments(inputs.size()).setFunctionSpec(keywordOnlySpec(inputs));
        for (Spec s : inputs) bare.addArgumentKeywords(s.key());
        child(map, "serving_default", add(new BareFunction(bare.build())));

        DictValue.Builder kwargs = DictValue.newBuilder();
        for (Spec s : inputs) kwargs.putFields(s.key(), spec(s));
        DictValue.Builder results = DictValue.newBuilder();
        for (Spec s : outputs) results.putFields(s.key(), spec(s));
        SavedConcreteFunction.Builder concrete = SavedConcreteFunction.newBuilder()
                .setCanonicalizedInputSignature(StructuredValue.newBuilder().setTupleValue(TupleValue.newBuilder()
                        .addValues(StructuredValue.newBuilder().setTupleValue(TupleValue.getDefaultInstance()))
                        .addValues(StructuredValue.newBuilder().setDictValue(kwargs))))
                .setOutputSignature(StructuredValue.newBuilder().setDictValue(results))
                .addAllBoundInputs(boundVariables);
        concreteFunctions.put(function, concrete.build());
    }

    SavedObjectGraph savedObjectGraph() {
        SavedObjectGraph.Builder g = SavedObjectGraph.newBuilder();
        for (Node n : nodes) {
            SavedObject.Builder o = SavedObject.newBuilder();
            n.children().forEach((name, id) -> o.addChildren(ref(id, name)));
            if (n.kind() instanceof UserObject u) {
                o.setUserObject(SavedUserObject.newBuilder().setIdentifier(u.identifier()).setVersion(USER_OBJECT_VERSION));
            } else if (n.kind() instanceof Variable v) {
                o.setVariable(SavedVariable.newBuilder().setDtype(DataType.forNumber(TfDataTypes.toCode(v.weight().value().dtype())))
                        .setShape(TfFunction.shape(v.weight().value().shape())).setTrainable(v.weight().trainable()).setName(v.name()));
            } else if (n.kind() instanceof BareFunction f) {
                o.setBareConcreteFunction(f.function());
            }
            g.addNodes(o);
        }
        g.putAllConcreteFunctions(concreteFunctions);
        return g.build();
    }

    TrackableObjectGraph trackableObjectGraph() {
        Map<Integer, String> keys = checkpointKeys();
        TrackableObjectGraph.Builder g = TrackableObjectGraph.builder();
        for (int i = 0; i < nodes.size(); i++) g.add();
        for (int i = 0; i < nodes.size(); i++) {
            int parent = i;
            nodes.get(i).children().forEach((name, id) -> g.child(parent, name, id));
            if (nodes.get(i).kind() instanceof Variable v) {
                g.attribute(i, new TrackableObjectGraph.Attribute(TrackableObjectGraph.VARIABLE_VALUE, v.name(), keys.get(i)));
            }
        }
        return g.build();
    }

    /** Every variable once, under its checkpoint key, in node order. */
    List<CheckpointEntry> checkpointEntries() {
        Map<Integer, String> keys = checkpointKeys();
        List<CheckpointEntry> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).kind() instanceof Variable v) out.add(new CheckpointEntry(keys.get(i), v.weight()));
        }
        return out;
    }

    /** Node id → path of the first route to it from the root, breadth first ({@code layer-1/cell}). */
    Map<Integer, String> paths() {
        Map<Integer, String> paths = new LinkedHashMap<>();
        paths.put(0, "");
        Deque<Integer> queue = new ArrayDeque<>(List.of(0));
        while (!queue.isEmpty()) {
            int id = queue.poll();
            String base = paths.get(id);
            nodes.get(id).children().forEach((name, child) -> {
                if (!paths.containsKey(child)) {
                    paths.put(child, base.isEmpty() ? name : base + "/" + name);
                    queue.add(child);
                }
            });
        }
        return paths;
    }

    private Map<Integer, String> checkpointKeys() {
        Map<Integer, String> keys = new LinkedHashMap<>();
        paths().forEach((id, path) -> {
            if (nodes.get(id).kind() instanceof Variable) keys.put(id, path + VALUE_SUFFIX);
        });
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).kind() instanceof Variable && !keys.containsKey(i)) {
                throw new IllegalStateException("variable node " + i + " is not reachable from the root");
            }
        }
        return keys;
    }

    private int add(Kind kind) {
        nodes.add(new Node(kind, new LinkedHashMap<>()));
        return nodes.size() - 1;
    }

    /** Python's FullArgSpec of a signature wrapper: keyword-only arguments, no input_signature. */
    private static FunctionSpec keywordOnlySpec(List<Spec> inputs) {
        ListValue.Builder kwonly = ListValue.newBuilder();
        for (Spec s : inputs) kwonly.addValues(StructuredValue.newBuilder().setStringValue(s.key()));
        StructuredValue none = StructuredValue.newBuilder().setNoneValue(NoneValue.getDefaultInstance()).build();
        NamedTupleValue argspec = NamedTupleValue.newBuilder().setName("FullArgSpec")
                .addValues(pair("args", StructuredValue.newBuilder().setListValue(ListValue.getDefaultInstance()).build()))
                .addValues(pair("varargs", none)).addValues(pair("varkw", none)).addValues(pair("defaults", none))
                .addValues(pair("kwonlyargs", StructuredValue.newBuilder().setListValue(kwonly).build()))
                .addValues(pair("kwonlydefaults", none))
                .addValues(pair("annotations", StructuredValue.newBuilder().setDictValue(DictValue.getDefaultInstance()).build()))
                .build();
        return FunctionSpec.newBuilder().setFullargspec(StructuredValue.newBuilder().setNamedTupleValue(argspec))
                .setInputSignature(none).build();
    }

    private static PairValue pair(String key, StructuredValue value) { return PairValue.newBuilder().setKey(key).setValue(value).build(); }

    private static StructuredValue spec(Spec s) {
        return StructuredValue.newBuilder().setTensorSpecValue(TensorSpecProto.newBuilder().setName(s.key())
                .setShape(TfFunction.shape(s.value().shape())).setDtype(s.value().dtype())).build();
    }

    private static ObjectReference ref(int node, String name) { return ObjectReference.newBuilder().setNodeId(node).setLocalName(name).build(); }
}
