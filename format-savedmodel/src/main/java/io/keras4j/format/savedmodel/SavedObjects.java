package io.keras4j.format.savedmodel;

import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.format.savedmodel.proto.DataType;
import io.keras4j.format.savedmodel.proto.DictValue;
import io.keras4j.format.savedmodel.proto.FunctionSpec;
import io.keras4j.format.savedmodel.proto.ListValue;
import io.keras4j.format.savedmodel.proto.NamedTupleValue;
import io.keras4j.format.savedmodel.proto.NoneValue;
import io.keras4j.format.savedmodel.proto.ObjectReference;
import io.keras4j.format.savedmodel.proto.PairValue;
import io.keras4j.format.savedmodel.proto.SavedBareConcreteFunction;
import io.keras4j.format.savedmodel.proto.SavedConcreteFunction;
import io.keras4j.format.savedmodel.proto.SavedObject;
import io.keras4j.format.savedmodel.proto.SavedObjectGraph;
import io.keras4j.format.savedmodel.proto.SavedUserObject;
import io.keras4j.format.savedmodel.proto.SavedVariable;
import io.keras4j.format.savedmodel.proto.StructuredValue;
import io.keras4j.format.savedmodel.proto.TensorSpecProto;
import io.keras4j.format.savedmodel.proto.TupleValue;
import io.keras4j.format.savedmodel.proto.VersionDef;
import io.keras4j.model.Weight;
import java.util.List;

/**
 * The object graph of a written SavedModel and the matching checkpoint object graph (same node ids, same child
 * names; TensorFlow restores variables by walking both): node 0 the root, node 1 its {@code variables} list,
 * nodes 2.. the variables, then the {@code signatures} map and its {@code serving_default} concrete function.
 */
final class SavedObjects {
    record Var(String name, Weight weight) {}

    /** A signature argument or result: its key and value. */
    record Spec(String key, Tensor value) {}

    private static final VersionDef USER_OBJECT_VERSION = VersionDef.newBuilder().setProducer(1).setMinConsumer(1).build();

    private final List<Var> variables;

    SavedObjects(List<Var> variables) { this.variables = List.copyOf(variables); }

    private int variableNode(int i) { return 2 + i; }

    private int signatureMapNode() { return 2 + variables.size(); }

    private int functionNode() { return 3 + variables.size(); }

    String checkpointKey(int i) { return "variables/" + i + "/.ATTRIBUTES/VARIABLE_VALUE"; }

    SavedObjectGraph savedObjectGraph(String function, List<Spec> inputs, List<Spec> outputs) {
        SavedObjectGraph.Builder g = SavedObjectGraph.newBuilder();
        g.addNodes(SavedObject.newBuilder().addChildren(ref(1, "variables")).addChildren(ref(signatureMapNode(), "signatures"))
                .setUserObject(userObject("_generic_user_object")));
        SavedObject.Builder list = SavedObject.newBuilder().setUserObject(userObject("trackable_list_wrapper"));
        for (int i = 0; i < variables.size(); i++) list.addChildren(ref(variableNode(i), Integer.toString(i)));
        g.addNodes(list);
        for (Var v : variables) {
            g.addNodes(SavedObject.newBuilder().setVariable(SavedVariable.newBuilder().setDtype(DataType.DT_FLOAT)
                    .setShape(TfFunction.shape(v.weight().value().shape())).setTrainable(v.weight().trainable()).setName(v.name())));
        }
        g.addNodes(SavedObject.newBuilder().addChildren(ref(functionNode(), "serving_default")).setUserObject(userObject("signature_map")));
        SavedBareConcreteFunction.Builder bare = SavedBareConcreteFunction.newBuilder().setConcreteFunctionName(function)
                .setAllowedPositionalArguments(inputs.size()).setFunctionSpec(keywordOnlySpec(inputs));
        for (Spec s : inputs) bare.addArgumentKeywords(s.key());
        g.addNodes(SavedObject.newBuilder().setBareConcreteFunction(bare));

        DictValue.Builder kwargs = DictValue.newBuilder();
        for (Spec s : inputs) kwargs.putFields(s.key(), spec(s));
        DictValue.Builder results = DictValue.newBuilder();
        for (Spec s : outputs) results.putFields(s.key(), spec(s));
        SavedConcreteFunction.Builder concrete = SavedConcreteFunction.newBuilder()
                .setCanonicalizedInputSignature(StructuredValue.newBuilder().setTupleValue(TupleValue.newBuilder()
                        .addValues(StructuredValue.newBuilder().setTupleValue(TupleValue.getDefaultInstance()))
                        .addValues(StructuredValue.newBuilder().setDictValue(kwargs))))
                .setOutputSignature(StructuredValue.newBuilder().setDictValue(results));
        for (int i = 0; i < variables.size(); i++) concrete.addBoundInputs(variableNode(i));
        g.putConcreteFunctions(function, concrete.build());
        return g.build();
    }

    TrackableObjectGraph trackableObjectGraph() {
        TrackableObjectGraph.Builder g = TrackableObjectGraph.builder();
        int root = g.add();
        int list = g.add();
        for (int i = 0; i < variables.size(); i++) {
            int node = g.add();
            g.child(list, Integer.toString(i), node);
            g.attribute(node, new TrackableObjectGraph.Attribute(TrackableObjectGraph.VARIABLE_VALUE, variables.get(i).name(), checkpointKey(i)));
        }
        int signatures = g.add();
        int function = g.add();
        g.child(root, "variables", list);
        g.child(root, "signatures", signatures);
        g.child(signatures, "serving_default", function);
        return g.build();
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

    private static SavedUserObject userObject(String identifier) {
        return SavedUserObject.newBuilder().setIdentifier(identifier).setVersion(USER_OBJECT_VERSION).build();
    }
}
