package io.keras4j.format.savedmodel;

import io.keras4j.core.KerasJson;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.tf.proto.keras.SavedMetadata;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Keras metadata of a tf.keras SavedModel, per object-graph node: {@code keras_metadata.pb} (TF 2.5+) or the
 * {@code user_object.metadata} strings TF 2.4 and older kept inside {@code saved_model.pb}. Both hold the same JSON
 * ({@code name}, {@code class_name}, {@code config}, and on the model {@code model_config}, {@code training_config}).
 */
final class KerasMetadata {
    /** Where the metadata came from, as {@code details.keras_metadata} reports it. */
    enum Source { KERAS_METADATA_PB, OBJECT_GRAPH, NONE }

    record Node(String identifier, JsonObject metadata) {}

    private final Source source;
    private final Map<Integer, Node> nodes;

    private KerasMetadata(Source source, Map<Integer, Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    static KerasMetadata of(SavedModelDir dir, SavedObjectGraph graph) {
        Optional<SavedMetadata> file = dir.kerasMetadata();
        Map<Integer, Node> nodes = new HashMap<>();
        if (file.isPresent()) {
            Path where = dir.dir().resolve(SavedModelDir.KERAS_METADATA_PB);
            for (io.keras4j.tf.proto.keras.SavedObject n : file.get().getNodesList()) {
                nodes.put(n.getNodeId(), new Node(n.getIdentifier(), parse(n.getMetadata(), where)));
            }
            return new KerasMetadata(Source.KERAS_METADATA_PB, nodes);
        }
        Path where = dir.dir().resolve(SavedModelDir.SAVED_MODEL_PB);
        for (int i = 0; i < graph.getNodesCount(); i++) {
            SavedObject n = graph.getNodes(i);
            if (n.getKindCase() == SavedObject.KindCase.USER_OBJECT && n.getUserObject().getIdentifier().startsWith("_tf_keras_")
                    && !n.getUserObject().getMetadata().isEmpty()) {
                nodes.put(i, new Node(n.getUserObject().getIdentifier(), parse(n.getUserObject().getMetadata(), where)));
            }
        }
        return new KerasMetadata(nodes.isEmpty() ? Source.NONE : Source.OBJECT_GRAPH, nodes);
    }

    private static JsonObject parse(String json, Path where) {
        JsonValue v = KerasJson.parse(json, where);
        return v instanceof JsonObject o ? o : JsonObject.EMPTY;
    }

    Source source() { return source; }

    Optional<Node> node(int id) { return Optional.ofNullable(nodes.get(id)); }

    /** The root model's architecture ({@code model_config}) when the root is a Keras model saved with its config. */
    Optional<JsonObject> modelConfig() {
        return node(0).flatMap(n -> n.metadata().opt("model_config")).filter(v -> v instanceof JsonObject)
                .map(v -> untuple(v).asObject());
    }

    /**
     * Turns the metadata form of a config into what {@code to_json} writes: tf.keras's metadata encoder writes
     * Python tuples as {@code {"class_name": "__tuple__", "items": [...]}} (e.g. {@code batch_input_shape}) and
     * tags objects with {@code shared_object_id}s that only its own shared-object loader understands (Keras 3
     * refuses such configs); tuples become lists and the ids go.
     */
    static JsonValue untuple(JsonValue v) {
        if (v instanceof JsonObject o) {
            if (o.size() == 2 && "__tuple__".equals(o.getString("class_name", null)) && o.get("items") instanceof JsonArray items) {
                return untuple(items);
            }
            JsonObject.Builder b = JsonObject.builder();
            o.members().forEach((k, x) -> {
                if (!k.equals("shared_object_id")) b.put(k, untuple(x));
            });
            return b.build();
        }
        if (v instanceof JsonArray a) {
            JsonArray.Builder b = JsonArray.builder();
            for (JsonValue x : a) b.add(untuple(x));
            return b.build();
        }
        return v;
    }

    Optional<JsonObject> trainingConfig() {
        return node(0).flatMap(n -> n.metadata().opt("training_config")).filter(v -> v instanceof JsonObject)
                .map(JsonValue::asObject);
    }

    Optional<String> rootString(String key) { return node(0).flatMap(n -> n.metadata().optString(key)); }

    /** The Keras layer name of a node, from its metadata. */
    Optional<String> layerName(int id) { return node(id).flatMap(n -> n.metadata().optString("name")); }
}
