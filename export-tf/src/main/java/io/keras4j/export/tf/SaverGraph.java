package io.keras4j.export.tf;

import com.google.protobuf.ByteString;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.GraphDef;
import io.keras4j.tf.proto.NameAttrList;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.SaverDef;
import io.keras4j.tf.proto.TensorProto;
import io.keras4j.tf.proto.TensorShapeProto;
import java.util.List;
import java.util.Set;

/**
 * The saver of a SavedModel, for the loaders that restore variables through it instead of walking the object graph
 * as {@code tf.saved_model.load} does: {@code tf.compat.v1.saved_model.loader.load}, {@code saved_model_cli run} and
 * TensorFlow Serving's C++ loader run {@code saver_def.restore_op_name} with the {@code variables/variables} prefix
 * fed into {@code saver_def.filename_tensor_name}; without a saver_def they leave every variable uninitialized.
 * As {@code tf.saved_model.save} does, the graph gets a {@code saver_filename} placeholder, the checkpoint's object
 * graph as a constant, and calls of the save and restore functions ({@link SaverFunctions}) over the variables'
 * VarHandleOp nodes.
 */
final class SaverGraph {
    /** A variable the saver saves and restores: its VarHandleOp node in the graph, its checkpoint key, dtype and shape. */
    record SavedVariable(String handleNode, String checkpointKey, DataType dtype, long[] shape) {}

    private static final String FILENAME = "saver_filename";
    private static final String OBJECT_GRAPH = "saver_object_graph";
    private static final String SAVE_CALL = "StatefulPartitionedCall_1";
    private static final String RESTORE_CALL = "StatefulPartitionedCall_2";

    private SaverGraph() {}

    /**
     * Adds the saver's functions and nodes to {@code graph}, which must already hold the variables' VarHandleOps, and
     * returns the SaverDef naming them. {@code objectGraph} is the object graph of the written checkpoint; the save
     * function stores it with the variables.
     */
    static SaverDef addTo(GraphDef.Builder graph, List<SavedVariable> variables, TrackableObjectGraph objectGraph) {
        Set<String> taken = Set.copyOf(graph.getNodeList().stream().map(NodeDef::getName).toList());
        for (String name : List.of(FILENAME, OBJECT_GRAPH, SAVE_CALL, RESTORE_CALL)) {
            if (taken.contains(name)) throw new IllegalStateException("the graph already has a node " + name);
        }
        graph.getLibraryBuilder().addFunction(SaverFunctions.save(variables)).addFunction(SaverFunctions.restore(variables));
        graph.addNode(NodeDef.newBuilder().setName(FILENAME).setOp("Placeholder")
                .putAttr("dtype", TfFunction.type(DataType.DT_STRING))
                .putAttr("shape", AttrValue.newBuilder().setShape(TensorShapeProto.getDefaultInstance()).build()));
        TensorProto serialized = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TensorShapeProto.getDefaultInstance()).addStringVal(ByteString.copyFrom(objectGraph.toBytes())).build();
        graph.addNode(NodeDef.newBuilder().setName(OBJECT_GRAPH).setOp("Const")
                .putAttr("dtype", TfFunction.type(DataType.DT_STRING)).putAttr("value", AttrValue.newBuilder().setTensor(serialized).build()));
        graph.addNode(call(SAVE_CALL, SaverFunctions.SAVE, variables).addInput(OBJECT_GRAPH)
                .putAttr("Tin", types(variables, true)));
        graph.addNode(call(RESTORE_CALL, SaverFunctions.RESTORE, variables).putAttr("Tin", types(variables, false)));
        return SaverDef.newBuilder().setFilenameTensorName(FILENAME + ":0").setSaveTensorName(SAVE_CALL + ":0")
                .setRestoreOpName(RESTORE_CALL).setVersion(SaverDef.CheckpointFormatVersion.V2).build();
    }

    /** A call of {@code function} on the fed prefix and the variable handles, returning one string. */
    private static NodeDef.Builder call(String name, String function, List<SavedVariable> variables) {
        NodeDef.Builder call = NodeDef.newBuilder().setName(name).setOp("StatefulPartitionedCall").addInput(FILENAME);
        for (SavedVariable v : variables) call.addInput(v.handleNode());
        return call.putAttr("f", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(function)).build())
                .putAttr("Tout", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addType(DataType.DT_STRING)).build())
                .putAttr("config", TfFunction.str("")).putAttr("config_proto", TfFunction.str(""))
                .putAttr("executor_type", TfFunction.str(""));
    }

    private static AttrValue types(List<SavedVariable> variables, boolean withObjectGraph) {
        AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder().addType(DataType.DT_STRING);
        for (int i = 0; i < variables.size(); i++) types.addType(DataType.DT_RESOURCE);
        if (withObjectGraph) types.addType(DataType.DT_STRING);
        return AttrValue.newBuilder().setList(types).build();
    }
}
