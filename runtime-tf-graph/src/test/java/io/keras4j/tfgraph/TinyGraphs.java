package io.keras4j.tfgraph;

import com.google.protobuf.ByteString;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.GraphDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.SignatureDef;
import io.keras4j.tf.proto.TensorInfo;
import io.keras4j.tf.proto.TensorProto;
import io.keras4j.tf.proto.TensorShapeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built graphs and SavedModels for the interpreter's unit tests (real SavedModels are tested in it-tests). */
final class TinyGraphs {
    private TinyGraphs() {}

    static NodeDef node(String name, String op, String... inputs) {
        NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
        for (String i : inputs) b.addInput(i);
        return b.build();
    }

    static NodeDef withAttr(NodeDef n, String key, AttrValue v) { return n.toBuilder().putAttr(key, v).build(); }

    static AttrValue type(DataType t) { return AttrValue.newBuilder().setType(t).build(); }

    static NodeDef floatConst(String name, float[] values, long... shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(shape));
        for (float v : values) t.addFloatVal(v);
        return withAttr(withAttr(node(name, "Const"), "value", AttrValue.newBuilder().setTensor(t).build()),
                "dtype", type(DataType.DT_FLOAT));
    }

    static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        return s.build();
    }

    /** A SavedModel computing {@code y = x + [1, 2, 3]} for x of shape [-1, 3], signature serving_default. */
    static Path addConstant(Path dir) throws IOException {
        GraphDef graph = GraphDef.newBuilder()
                .addNode(withAttr(node("x", "Placeholder"), "dtype", type(DataType.DT_FLOAT)))
                .addNode(floatConst("c", new float[] {1, 2, 3}, 3))
                .addNode(node("y", "AddV2", "x", "c:0"))
                .build();
        SignatureDef sig = SignatureDef.newBuilder()
                .putInputs("x", TensorInfo.newBuilder().setName("x:0").setDtype(DataType.DT_FLOAT).setTensorShape(shape(-1, 3)).build())
                .putOutputs("y", TensorInfo.newBuilder().setName("y:0").setDtype(DataType.DT_FLOAT).setTensorShape(shape(-1, 3)).build())
                .build();
        MetaGraphDef meta = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
                .setGraphDef(graph)
                .putSignatureDef("serving_default", sig)
                .build();
        Files.createDirectories(dir);
        Files.write(dir.resolve("saved_model.pb"), SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build().toByteArray());
        return dir;
    }

    static ByteString bytes(String s) { return ByteString.copyFromUtf8(s); }
}
