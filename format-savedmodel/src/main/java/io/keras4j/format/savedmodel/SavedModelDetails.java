package io.keras4j.format.savedmodel;

import io.keras4j.format.checkpoint.bundle.TfDataTypes;
import io.keras4j.tf.proto.AssetFileDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.tf.proto.SavedVariable;
import io.keras4j.tf.proto.SignatureDef;
import io.keras4j.tf.proto.TensorInfo;
import io.keras4j.tf.proto.TensorShapeProto;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.util.Map;
import java.util.TreeMap;

/** What a SavedModel holds, as {@code KerasFile.details}: signatures, variables, assets, versions. */
final class SavedModelDetails {
    private SavedModelDetails() {}

    static JsonObject of(SavedModelDir dir, MetaGraphDef metaGraph, KerasMetadata keras, VariableKeys keys) {
        JsonObject.Builder b = JsonObject.builder()
                .put("tags", JsonArray.of(metaGraph.getMetaInfoDef().getTagsList().stream().map(JsonValue::of).toArray(JsonValue[]::new)))
                .put("tensorflow_version", metaGraph.getMetaInfoDef().getTensorflowVersion())
                .put("keras_metadata", switch (keras.source()) {
                    case KERAS_METADATA_PB -> SavedModelDir.KERAS_METADATA_PB;
                    case OBJECT_GRAPH -> "object graph (TF 2.4 and older)";
                    case NONE -> "none: the Keras architecture is not stored";
                })
                .put("signatures", signatures(metaGraph))
                .put("variables", variables(metaGraph.getObjectGraphDef(), keys));
        JsonArray.Builder assets = JsonArray.builder();
        for (AssetFileDef a : metaGraph.getAssetFileDefList()) assets.add(a.getFilename());
        b.put("assets", assets.build());
        dir.fingerprint().ifPresent(f -> b.put("fingerprint", JsonObject.builder()
                .put("saved_model_checksum", Long.toUnsignedString(f.getSavedModelChecksum()))
                .put("producer", f.getVersion().getProducer()).build()));
        return b.build();
    }

    /** Every signature except TensorFlow's internal {@code __saved_model_init_op}, keys sorted. */
    static JsonObject signatures(MetaGraphDef metaGraph) {
        JsonObject.Builder sigs = JsonObject.builder();
        for (Map.Entry<String, SignatureDef> e : new TreeMap<>(metaGraph.getSignatureDefMap()).entrySet()) {
            if (e.getKey().startsWith("__")) continue;
            sigs.put(e.getKey(), JsonObject.builder()
                    .put("inputs", tensors(e.getValue().getInputsMap()))
                    .put("outputs", tensors(e.getValue().getOutputsMap()))
                    .put("method_name", e.getValue().getMethodName()).build());
        }
        return sigs.build();
    }

    private static JsonObject tensors(Map<String, TensorInfo> infos) {
        JsonObject.Builder out = JsonObject.builder();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(infos).entrySet()) {
            out.put(e.getKey(), JsonObject.builder().put("dtype", dtypeName(e.getValue().getDtypeValue()))
                    .put("shape", shape(e.getValue().getTensorShape())).build());
        }
        return out.build();
    }

    private static JsonArray variables(SavedObjectGraph graph, VariableKeys keys) {
        JsonArray.Builder out = JsonArray.builder();
        for (int i = 0; i < graph.getNodesCount(); i++) {
            SavedObject n = graph.getNodes(i);
            if (n.getKindCase() != SavedObject.KindCase.VARIABLE) continue;
            SavedVariable v = n.getVariable();
            out.add(JsonObject.builder().put("node", i).put("name", v.getName()).put("dtype", dtypeName(v.getDtypeValue()))
                    .put("shape", shape(v.getShape())).put("trainable", v.getTrainable())
                    .put("key", keys.key(i).<JsonValue>map(JsonValue::of).orElse(JsonNull.INSTANCE)).build());
        }
        return out.build();
    }

    /** Keras's dtype name ({@code float32}) when it has one, else TensorFlow's ({@code resource}). */
    static String dtypeName(int code) { return TfDataTypes.name(code); }

    /** A shape as Keras prints it: {@code null} for unknown dimensions, {@code null} for unknown rank. */
    static JsonValue shape(TensorShapeProto shape) {
        if (shape.getUnknownRank()) return JsonNull.INSTANCE;
        JsonArray.Builder dims = JsonArray.builder();
        for (TensorShapeProto.Dim d : shape.getDimList()) dims.add(d.getSize() < 0 ? JsonNull.INSTANCE : JsonValue.of(d.getSize()));
        return dims.build();
    }
}
