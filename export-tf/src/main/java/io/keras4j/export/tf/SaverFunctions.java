package io.keras4j.export.tf;

import com.google.protobuf.ByteString;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.export.tf.SaverGraph.SavedVariable;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.FunctionDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.OpDef;
import io.keras4j.tf.proto.ResourceHandleProto;
import io.keras4j.tf.proto.TensorProto;
import io.keras4j.tf.proto.TensorShapeProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The two functions a TF1 Saver runs, as {@code tf.saved_model.save} traces them ({@code _traced_save},
 * {@code _traced_restore}). Both take the checkpoint prefix, then one resource argument per variable; save also
 * takes the serialized object graph. Each variable is stored under its checkpoint key and the object graph under
 * {@code _CHECKPOINTABLE_OBJECT_GRAPH}, so a checkpoint the saver writes is also one {@code tf.train.Checkpoint}
 * reads. Inside a function a node's output is {@code node:output_arg:index}; control inputs are {@code ^node}.
 */
final class SaverFunctions {
    static final String SAVE = "__inference__traced_save_keras4j";
    static final String RESTORE = "__inference__traced_restore_keras4j";
    /** Checkpoint I/O and string ops only have CPU kernels; TensorFlow pins them there too. */
    private static final String CPU = "/device:CPU:0";

    private SaverFunctions() {}

    /**
     * Writes a V2 checkpoint at the fed prefix: one shard under a temporary prefix ({@code <prefix>_temp/part}, or
     * {@code <prefix>.part} on S3, which has no directories to rename), then MergeV2Checkpoints moves it to the
     * prefix and deletes the temporary directory, so an interrupted save never leaves a half-written checkpoint.
     * Returns the prefix once merged.
     */
    static FunctionDef save(List<SavedVariable> variables) {
        OpDef.Builder signature = signature(SAVE, variables);
        signature.addInputArg(arg("object_graph", DataType.DT_STRING));
        List<NodeDef> nodes = new ArrayList<>();
        nodes.add(node("StaticRegexFullMatch", "is_s3", "file_prefix").setDevice(CPU)
                .putAttr("pattern", TfFunction.str("^s3://.*")).build());
        nodes.add(stringScalar("s3_suffix", ".part"));
        nodes.add(stringScalar("temp_suffix", "_temp/part"));
        nodes.add(node("Select", "suffix", "is_s3:output:0", "s3_suffix:output:0", "temp_suffix:output:0").setDevice(CPU)
                .putAttr("T", TfFunction.type(DataType.DT_STRING)).build());
        nodes.add(node("StringJoin", "temp_prefix", "file_prefix", "suffix:output:0").setDevice(CPU)
                .putAttr("N", AttrValue.newBuilder().setI(2).build()).build());
        nodes.add(int32Const("shard", 0));
        nodes.add(int32Const("num_shards", 1));
        nodes.add(node("ShardedFilename", "shard_prefix", "temp_prefix:output:0", "shard:output:0", "num_shards:output:0")
                .setDevice(CPU).build());

        NodeDef.Builder saveV2 = node("SaveV2", "SaveV2", "shard_prefix:filename:0", "tensor_names:output:0",
                "shape_and_slices:output:0").setDevice(CPU);
        for (int i = 0; i < variables.size(); i++) {
            String read = "read_" + i;
            nodes.add(node("ReadVariableOp", read, resourceArg(i)).putAttr("dtype", TfFunction.type(variables.get(i).dtype())).build());
            saveV2.addInput(read + ":value:0");
        }
        saveV2.addInput("object_graph");
        nodes.add(stringVector("tensor_names", checkpointKeys(variables)));
        nodes.add(stringVector("shape_and_slices", wholeTensors(variables)));
        nodes.add(saveV2.putAttr("dtypes", storedTypes(variables)).build());
        nodes.add(node("Pack", "checkpoint_prefixes", "shard_prefix:filename:0", "^SaveV2").setDevice(CPU)
                .putAttr("T", TfFunction.type(DataType.DT_STRING)).putAttr("N", AttrValue.newBuilder().setI(1).build()).build());
        nodes.add(node("MergeV2Checkpoints", "MergeV2Checkpoints", "checkpoint_prefixes:output:0", "file_prefix").setDevice(CPU).build());
        nodes.add(node("Identity", "saved_prefix", "file_prefix", "^MergeV2Checkpoints").setDevice(CPU)
                .putAttr("T", TfFunction.type(DataType.DT_STRING)).build());
        return function(signature.addOutputArg(arg("saved_prefix", DataType.DT_STRING)), nodes, List.of("MergeV2Checkpoints"));
    }

    /**
     * Reads every variable's checkpoint key from the fed prefix and assigns it to the variable; returns the prefix
     * once all are assigned. The object graph is read too, as TensorFlow does: RestoreV2 needs at least one tensor,
     * and this keeps a model without variables restorable.
     */
    static FunctionDef restore(List<SavedVariable> variables) {
        OpDef.Builder signature = signature(RESTORE, variables);
        List<NodeDef> nodes = new ArrayList<>();
        nodes.add(stringVector("tensor_names", checkpointKeys(variables)));
        nodes.add(stringVector("shape_and_slices", wholeTensors(variables)));
        nodes.add(node("RestoreV2", "RestoreV2", "file_prefix", "tensor_names:output:0", "shape_and_slices:output:0")
                .setDevice(CPU).putAttr("dtypes", storedTypes(variables)).build());
        List<String> assigns = new ArrayList<>();
        NodeDef.Builder done = node("Identity", "restored_prefix", "file_prefix").setDevice(CPU)
                .putAttr("T", TfFunction.type(DataType.DT_STRING));
        for (int i = 0; i < variables.size(); i++) {
            String assign = "assign_" + i;
            nodes.add(node("AssignVariableOp", assign, resourceArg(i), "RestoreV2:tensors:" + i)
                    .putAttr("dtype", TfFunction.type(variables.get(i).dtype())).build());
            assigns.add(assign);
            done.addInput("^" + assign);
        }
        nodes.add(done.build());
        return function(signature.addOutputArg(arg("restored_prefix", DataType.DT_STRING)), nodes, assigns);
    }

    /** {@code file_prefix}, then {@code variable_I} resources carrying each variable's dtype and shape. */
    private static OpDef.Builder signature(String name, List<SavedVariable> variables) {
        OpDef.Builder s = OpDef.newBuilder().setName(name).setIsStateful(true).addInputArg(arg("file_prefix", DataType.DT_STRING));
        for (int i = 0; i < variables.size(); i++) {
            SavedVariable v = variables.get(i);
            s.addInputArg(OpDef.ArgDef.newBuilder().setName(resourceArg(i)).setType(DataType.DT_RESOURCE)
                    .addHandleData(ResourceHandleProto.DtypeAndShape.newBuilder().setDtype(v.dtype()).setShape(TfFunction.shape(v.shape()))));
        }
        return s;
    }

    /**
     * The stateful nodes are control outputs too: a caller that runs the function only for its side effects (a
     * Saver runs the restore call as a target) still runs every one of them.
     */
    private static FunctionDef function(OpDef.Builder signature, List<NodeDef> nodes, List<String> controlOutputs) {
        String result = signature.getOutputArg(0).getName();
        signature.addAllControlOutput(controlOutputs);
        FunctionDef.Builder f = FunctionDef.newBuilder().setSignature(signature).addAllNodeDef(nodes)
                .putRet(result, result + ":output:0");
        for (String c : controlOutputs) f.putControlRet(c, c);
        return f.build();
    }

    private static String resourceArg(int i) { return "variable_" + i; }

    private static List<String> checkpointKeys(List<SavedVariable> variables) {
        List<String> keys = new ArrayList<>();
        for (SavedVariable v : variables) keys.add(v.checkpointKey());
        keys.add(TrackableObjectGraph.KEY);
        return keys;
    }

    /** An empty shape-and-slice spec per tensor: each is stored whole. */
    private static List<String> wholeTensors(List<SavedVariable> variables) {
        return Collections.nCopies(variables.size() + 1, "");
    }

    private static AttrValue storedTypes(List<SavedVariable> variables) {
        AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder();
        for (SavedVariable v : variables) types.addType(v.dtype());
        types.addType(DataType.DT_STRING);
        return AttrValue.newBuilder().setList(types).build();
    }

    private static OpDef.ArgDef arg(String name, DataType type) { return OpDef.ArgDef.newBuilder().setName(name).setType(type).build(); }

    private static NodeDef.Builder node(String op, String name, String... inputs) {
        return NodeDef.newBuilder().setOp(op).setName(name).addAllInput(List.of(inputs));
    }

    private static NodeDef stringScalar(String name, String value) {
        return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TensorShapeProto.getDefaultInstance()).addStringVal(ByteString.copyFromUtf8(value)).build());
    }

    private static NodeDef stringVector(String name, List<String> values) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TfFunction.shape(new long[] {values.size()}));
        for (String v : values) t.addStringVal(ByteString.copyFromUtf8(v));
        return constant(name, t.build());
    }

    private static NodeDef int32Const(String name, int value) {
        return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_INT32)
                .setTensorShape(TensorShapeProto.getDefaultInstance()).addIntVal(value).build());
    }

    private static NodeDef constant(String name, TensorProto value) {
        return node("Const", name).setDevice(CPU).putAttr("dtype", TfFunction.type(value.getDtype()))
                .putAttr("value", AttrValue.newBuilder().setTensor(value).build()).build();
    }
}
