package io.keras4j.export.tf;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.LayerCatalogue;
import io.keras4j.format.checkpoint.TrackingNames;
import io.keras4j.core.Dialects;
import io.keras4j.core.KerasJson;
import io.keras4j.core.TrainingConfigs;
import io.keras4j.tf.proto.VersionDef;
import io.keras4j.tf.proto.keras.SavedMetadata;
import io.keras4j.tf.proto.keras.SavedObject;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.model.Weight;
import io.keras4j.runtime.ModelShapes;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The object structure {@code tf_keras.models.load_model} revives a model from, and its {@code keras_metadata.pb}.
 * The root is the model; its children {@code layer-I} (tf.keras's {@code model.layers[I]}; a Sequential's omit the
 * InputLayer) and {@code layer_with_weights-N} name the layers; each layer tracks its variables by attribute path
 * ({@code kernel}, {@code cell/recurrent_kernel}, see {@link TrackingNames}); nested models recurse. Each model and
 * layer node gets metadata JSON: class name, tf.keras config and the input shape to build the layer with. tf_keras
 * recreates every layer from its config, builds it, then restores the variables by walking these child names, so
 * no per-layer call functions are needed (they are only used to revive layers without a config).
 */
final class KerasObjectLayout {
    /** The tf.keras version whose SavedModel layout this follows (as {@code format-h5} writes Keras 2 files). */
    static final String KERAS_VERSION = "2.21.0";
    private static final VersionDef METADATA_VERSION = VersionDef.newBuilder().setProducer(2).setMinConsumer(1).build();


    /** tf.keras's RNN subclasses. */
    private static boolean isRecurrent(String className) {
        return LayerCatalogue.keras().is(className, LayerCatalogue.LayerClass::isRecurrent);
    }

    private final SavedObjects objects;
    private final SavedMetadata.Builder metadata = SavedMetadata.newBuilder();
    private final Map<Weight, Integer> variableNodes = new IdentityHashMap<>();

    private KerasObjectLayout(SavedObjects objects) { this.objects = objects; }

    /**
     * The layout of {@code model} (any dialect; its tf.keras form is what the metadata holds). Variables are keyed
     * by the weights of {@code model} itself, which the serving function reads.
     *
     * @throws UnsupportedModelException when the model has no tf.keras form or a layer's variable tracking is unknown
     */
    static KerasObjectLayout of(Model model) { return of(model, false, new WriteShapes()); }

    /**
     * As {@link #of(Model)}; {@code allowSemanticChange} as in {@link Dialects#convertForWriting(Model, Dialect, boolean)};
     * {@code shapes} those of the writer, keyed by {@code model} and its nested models (their tf.keras forms have the same shapes).
     */
    static KerasObjectLayout of(Model model, boolean allowSemanticChange, WriteShapes shapes) {
        // withWeights false: the graph and its variables are the source's, so rescaled weights could not reach them.
        Model k2 = model.dialect() == Dialect.KERAS2 ? model
                : Dialects.convertForWriting(model, Dialect.KERAS2, allowSemanticChange, false);
        JsonObject tree = KerasJson.toTree(k2, Dialect.KERAS2);
        KerasObjectLayout layout = new KerasObjectLayout(new SavedObjects(identifier(k2)));
        JsonObject config = modelConfig(tree.get("config"), k2.name());
        JsonObject root = modelMetadata(k2, tree.getString("class_name", k2.className()), config)
                .with("keras_version", KERAS_VERSION).with("backend", "tensorflow")
                .with("model_config", JsonObject.builder().put("class_name", tree.get("class_name")).put("config", tree.get("config")).build());
        Optional<JsonObject> training = model.trainingConfig().flatMap(tc -> TrainingConfigs.legacy(tc, Dialect.KERAS2));
        if (training.isPresent()) root = root.with("training_config", training.get());
        layout.addMetadata(0, "root", identifier(k2), root);
        layout.model(model, k2, config, 0, "root", shapes);
        return layout;
    }

    SavedObjects objects() { return objects; }

    SavedMetadata metadata() { return metadata.build(); }

    /** The variable node of a weight of the model the layout was made for. */
    int variableNode(Weight weight) {
        Integer node = variableNodes.get(weight);
        if (node == null) throw new IllegalStateException("weight '" + weight.name() + "' has no variable node");
        return node;
    }

    private void model(Model source, Model k2, JsonObject config, int node, String path, WriteShapes writeShapes) {
        List<Layer> layers = k2.layers();
        JsonArray layerConfigs = config.get("layers").isArray() ? config.getArray("layers") : JsonArray.builder().build();
        if (layerConfigs.size() != layers.size()) {
            throw new UnsupportedModelException("model '" + k2.name() + "': its tf.keras config lists " + layerConfigs.size()
                    + " layers, the model has " + layers.size());
        }
        int first = 0;
        if (k2.isSequential() && !layers.isEmpty() && layers.get(0).className().equals("InputLayer")) first = 1;
        LayerShapes shapes = new LayerShapes(k2, writeShapes.of(source));
        int withWeights = 0;
        for (int i = first; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Layer original = source.layer(layer.name()).orElseThrow(() -> new UnsupportedModelException(
                    "layer '" + layer.name() + "' of the tf.keras form of model '" + source.name() + "' is not in the model"));
            JsonObject entry = layerConfigs.get(i).asObject();
            String child = layer.weights().isEmpty() ? "layer-" + (i - first) : "layer_with_weights-" + withWeights++;
            String childPath = path + "." + child;
            int layerNode;
            if (layer.nestedModel().isPresent()) {
                Model nested = layer.nestedModel().get();
                JsonObject nestedConfig = modelConfig(entry.get("config"), nested.name());
                layerNode = objects.userObject(identifier(nested));
                addMetadata(layerNode, childPath, identifier(nested),
                        modelMetadata(nested, entry.getString("class_name", nested.className()), nestedConfig));
                model(original.nestedModel().orElseThrow(), nested, nestedConfig, layerNode, childPath, writeShapes);
            } else {
                String id = layerIdentifier(layer.className());
                layerNode = objects.userObject(id);
                addMetadata(layerNode, childPath, id, layerMetadata(layer, entry, shapes.buildInputShape(layer, i - first)));
                variables(original, layer, layerNode, childPath);
            }
            if (!layer.weights().isEmpty()) objects.child(node, child, layerNode);
            objects.child(node, "layer-" + (i - first), layerNode);
        }
    }

    /**
     * The layer's variables under their tracked paths, intermediate objects ({@code cell}) as plain nodes, and the
     * layer's {@code variables} list (in {@code layer.weights} order, as tf.keras saves it; readers take the order
     * from there).
     */
    private void variables(Layer original, Layer layer, int layerNode, String layerPath) {
        if (original.weights().size() != layer.weights().size()) {
            throw new UnsupportedModelException("layer '" + layer.name() + "' has " + original.weights().size()
                    + " weights but " + layer.weights().size() + " in its tf.keras form");
        }
        List<String> paths = TrackingNames.paths(Dialect.KERAS2, layer);
        for (String path : paths) {
            if (path.matches("(.*/)?\\d+")) {
                // Keras 3 files number the variables of layers keras4j does not know (custom classes): the attribute
                // tf.keras tracks them by, which restoring matches, is unknown.
                throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className()
                        + "): the attribute names of its variables are unknown (the file numbers them)");
            }
        }
        Map<String, Integer> intermediate = new HashMap<>();
        int list = objects.userObject("trackable_list_wrapper");
        objects.child(layerNode, "variables", list);
        for (int w = 0; w < paths.size(); w++) {
            String[] parts = paths.get(w).split("/");
            int parent = layerNode;
            StringBuilder sofar = new StringBuilder();
            for (int p = 0; p < parts.length - 1; p++) {
                sofar.append(parts[p]).append('/');
                int from = parent;
                String part = parts[p];
                String subPath = layerPath + "." + sofar.toString().replace('/', '.').replaceAll("\\.$", "");
                parent = intermediate.computeIfAbsent(sofar.toString(), k -> {
                    int n = objects.userObject("_generic_user_object");
                    objects.child(from, part, n);
                    sublayerMetadata(layer, part).ifPresent(json -> addMetadata(n, subPath, "_tf_keras_layer", json));
                    return n;
                });
            }
            Weight weight = original.weights().get(w);
            int variable = objects.variable(weight, layer.name() + "/" + paths.get(w));
            objects.child(parent, parts[parts.length - 1], variable);
            objects.child(list, Integer.toString(w), variable);
            variableNodes.put(weight, variable);
        }
    }

    /**
     * The metadata of a sub-layer tf.keras creates unbuilt and builds only when its parent is first called: the
     * EinsumDense projections of a MultiHeadAttention ({@code _query_dense}...). tf_keras builds them on revival from
     * this {@code build_input_shape}; sub-layers their parent's build creates (cells, wrapped layers) need none.
     */
    private static Optional<JsonObject> sublayerMetadata(Layer layer, String attribute) {
        if (!layer.className().equals("MultiHeadAttention")) return Optional.empty();
        JsonObject c = layer.config();
        JsonValue query = dims(c.get("query_shape"));
        JsonValue value = dims(c.get("value_shape"));
        JsonValue key = c.get("key_shape").isNull() ? value : dims(c.get("key_shape"));
        if (!query.isArray() || !value.isArray() || !key.isArray()) return Optional.empty();
        String name;
        JsonValue input;
        switch (attribute) {
            case "_query_dense" -> { name = "query"; input = query; }
            case "_key_dense" -> { name = "key"; input = key; }
            case "_value_dense" -> { name = "value"; input = value; }
            case "_output_dense" -> {
                // (batch, query positions..., heads, value_dim): the attention output before its projection.
                name = "attention_output";
                JsonArray.Builder dims = JsonArray.builder();
                JsonArray q = query.asArray();
                for (int i = 0; i < q.size() - 1; i++) dims.add(q.get(i));
                long valueDim = c.get("value_dim").isNull() ? c.getLong("key_dim", 0) : c.getLong("value_dim", 0);
                input = dims.add(c.getLong("num_heads", 0)).add(valueDim).build();
            }
            default -> { return Optional.empty(); }
        }
        JsonArray.Builder items = JsonArray.builder();
        input.asArray().values().forEach(items::add);
        return Optional.of(JsonObject.builder().put("name", name).put("class_name", "EinsumDense")
                .put("build_input_shape", JsonObject.builder().put("class_name", "TensorShape").put("items", items.build()).build()).build());
    }

    /** A model config in tf.keras's form: Keras 2.0–2.2 wrote a Sequential's as the bare list of its layers. */
    private static JsonObject modelConfig(JsonValue config, String name) {
        if (config.isArray()) return JsonObject.builder().put("name", name).put("layers", config).build();
        return config.asObject();
    }

    /** A shape as a list: the config spells it as one, or as tf.keras's {@code {"class_name": "TensorShape", "items": […]}}. */
    private static JsonValue dims(JsonValue shape) {
        return shape.isObject() && "TensorShape".equals(shape.asObject().getString("class_name", "")) ? shape.asObject().get("items") : shape;
    }

    private static JsonObject modelMetadata(Model m, String className, JsonObject config) {
        return JsonObject.builder().put("name", m.name()).put("trainable", config.getBoolean("trainable", true))
                .put("expects_training_arg", true).put("dtype", "float32").put("batch_input_shape", JsonNull.INSTANCE)
                .put("must_restore_from_config", false).put("class_name", className).put("config", config)
                .put("is_graph_network", true).build();
    }

    private static JsonObject layerMetadata(Layer layer, JsonObject entry, JsonValue buildInputShape) {
        JsonObject config = entry.getObject("config");
        JsonObject.Builder b = JsonObject.builder().put("name", layer.name()).put("class_name", entry.get("class_name"));
        if (layer.className().equals("InputLayer")) {
            return b.put("dtype", config.get("dtype")).put("sparse", config.getBoolean("sparse", false))
                    .put("ragged", config.getBoolean("ragged", false)).put("batch_input_shape", config.get("batch_input_shape"))
                    .put("config", config).build();
        }
        // tf_keras reads it when it revives a class it cannot find by name (an application's own layer)
        io.keras4j.core.ApplicationLayers.identify(layer.className(), layer.module(), layer.config())
                .ifPresent(kind -> b.put("expects_training_arg", kind == io.keras4j.core.ApplicationLayers.Kind.STOCHASTIC_DEPTH));
        return b.put("trainable", config.getBoolean("trainable", true))
                .put("dtype", config.opt("dtype").orElse(JsonValue.of("float32"))).put("batch_input_shape", JsonNull.INSTANCE)
                .put("stateful", config.getBoolean("stateful", false)).put("must_restore_from_config", false)
                .put("config", config).put("build_input_shape", buildInputShape).build();
    }

    private void addMetadata(int node, String path, String identifier, JsonObject json) {
        metadata.addNodes(SavedObject.newBuilder().setNodeId(node).setNodePath(path).setIdentifier(identifier)
                .setMetadata(KerasJson.toText(json, false)).setVersion(METADATA_VERSION));
    }

    /** tf.keras's SavedModel identifier of a layer class; recurrent layers have their own saver. */
    private static String layerIdentifier(String className) {
        if (className.equals("InputLayer")) return "_tf_keras_input_layer";
        return isRecurrent(className) ? "_tf_keras_rnn_layer" : "_tf_keras_layer";
    }

    private static String identifier(Model m) { return m.isSequential() ? "_tf_keras_sequential" : "_tf_keras_network"; }

    /**
     * The input shape each layer is first called with, as tf.keras's {@code build_input_shape}
     * ({@code {"class_name": "TensorShape", "items": [null, 4]}}, a list of them for several inputs).
     */
    private static final class LayerShapes {
        private final Model model;
        private final ModelShapes shapes;
        private final Map<String, long[]> inputLayerShapes = new HashMap<>();

        LayerShapes(Model model, ModelShapes shapes) {
            this.model = model;
            this.shapes = shapes;
            List<long[]> in = shapes.inputShapes();
            for (int i = 0; i < model.inputs().size() && i < in.size(); i++) inputLayerShapes.put(model.inputs().get(i).layer(), in.get(i));
        }

        /** {@code index} is the layer's position among the model's layers without a leading Sequential InputLayer. */
        JsonValue buildInputShape(Layer layer, int index) {
            if (layer.inboundNodes().isEmpty()) {
                if (index == 0) return tensorShape(shapes.inputShapes().get(0));
                List<Layer> layers = model.layers();
                Layer previous = layers.get(layers.indexOf(layer) - 1);
                return output(new TensorRef(previous.name(), 0, 0)).<JsonValue>map(KerasObjectLayout::tensorShape).orElse(JsonNull.INSTANCE);
            }
            List<TensorRef> inputs = layer.inboundNodes().get(0).inputs();
            JsonArray.Builder list = JsonArray.builder();
            for (TensorRef ref : inputs) {
                Optional<long[]> s = output(ref);
                if (s.isEmpty()) return JsonNull.INSTANCE;
                list.add(tensorShape(s.get()));
            }
            JsonArray all = list.build();
            return all.size() == 1 && !Dialects.takesList(layer.className()) ? all.get(0) : all;
        }

        private Optional<long[]> output(TensorRef ref) {
            long[] input = inputLayerShapes.get(ref.layer());
            if (input != null) return Optional.of(input);
            List<List<long[]>> calls = shapes.layerOutputShapes().get(ref.layer());
            if (calls == null || calls.isEmpty()) return Optional.empty();
            List<long[]> call = calls.get(Math.min(ref.node(), calls.size() - 1));
            return ref.tensor() < call.size() ? Optional.of(call.get(ref.tensor())) : Optional.empty();
        }
    }

    private static JsonObject tensorShape(long[] shape) {
        JsonArray.Builder items = JsonArray.builder();
        for (long d : shape) items.add(d < 0 ? JsonNull.INSTANCE : JsonValue.of(d));
        return JsonObject.builder().put("class_name", "TensorShape").put("items", items.build()).build();
    }
}
