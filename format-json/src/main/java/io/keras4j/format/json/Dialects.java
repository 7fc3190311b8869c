package io.keras4j.format.json;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Converts a model between Keras dialects: Keras 1 to 2 (renamed classes and config keys), Keras 2 to 3 (module
 * and registered names, {@code batch_shape}, DTypePolicy objects, {@code __keras_tensor__} nodes) and Keras 3 to 2.
 * Weights and provenance are kept; every layer config is rewritten in the target's spelling.
 */
public final class Dialects {
    private static final Set<String> LIST_INPUT_LAYERS = Set.of("Add", "Subtract", "Multiply", "Average", "Maximum",
            "Minimum", "Concatenate", "Dot");
    private static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dialects.class);

    private Dialects() {}

    private static final Set<String> RNN_LAYERS = Set.of("SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional",
            "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU");

    /** Whether extra inbound tensors of this layer are its initial states (recurrent layers). */
    public static boolean takesInitialState(String className) { return RNN_LAYERS.contains(className); }

    /** Whether a layer of this class is called with a list of tensors (merge layers). */
    public static boolean takesList(String className) { return LIST_INPUT_LAYERS.contains(className); }

    public static Model convert(Model model, Dialect target) {
        Model m = model;
        while (m.dialect() != target) {
            switch (m.dialect()) {
                case KERAS1 -> m = Keras1To2.convert(m);
                case KERAS2 -> m = target == Dialect.KERAS3 ? keras2To3(m) : unsupportedDowngrade(m, target);
                case KERAS3 -> m = keras3To2(m);
            }
        }
        return m;
    }

    private static Model unsupportedDowngrade(Model m, Dialect target) {
        throw new UnsupportedModelException("writing the " + target + " dialect is not supported (model '" + m.name()
                + "' is " + m.dialect() + "); write KERAS2 or KERAS3");
    }

    // ---------------------------------------------------------------- Keras 2 -> 3

    static Model keras2To3(Model m) {
        List<Layer> layers = new ArrayList<>();
        boolean sequential = m.isSequential();
        for (int i = 0; i < m.layers().size(); i++) {
            Layer l = m.layers().get(i);
            if (sequential && i == 0 && !l.className().equals("InputLayer") && l.batchInputShape().isPresent()) {
                // Keras 3 takes a Sequential's input shape from an explicit InputLayer, as it writes one itself.
                layers.add(inputLayer3(l.name() + "_input", l.batchInputShape().get(), l.dtype().orElse("float32")));
            }
            layers.add(layer2To3(l));
        }
        JsonObject cfg = m.config().without("layers");
        String className = m.className().equals("Model") ? "Functional" : m.className();
        if (!sequential) {
            cfg = cfg.with("input_layers", ModelWriter.refList(m.inputs())).with("output_layers", ModelWriter.refList(m.outputs()));
        }
        if (!cfg.has("trainable")) cfg = cfg.with("trainable", true);
        JsonObject entry = JsonObject.builder()
                .put("module", moduleOfModel(className))
                .put("registered_name", MODEL_CLASSES.contains(m.className()) ? JsonNull.INSTANCE : m.className())
                .build();
        return m.toBuilder().dialect(Dialect.KERAS3).className(className).config(cfg).entry(entry).layers(layers)
                .trainingConfig(m.trainingConfig().orElse(null)).build();
    }

    /** The module Keras 3 itself writes for its model classes. */
    private static JsonValue moduleOfModel(String className) {
        return switch (className) {
            case "Sequential" -> new io.keras4j.json.JsonString("keras");
            case "Functional" -> new io.keras4j.json.JsonString("keras.src.models.functional");
            default -> JsonNull.INSTANCE;
        };
    }

    private static Layer inputLayer3(String name, long[] batchShape, String dtype) {
        JsonObject cfg = JsonObject.builder().put("batch_shape", shape(batchShape)).put("dtype", dtype)
                .put("sparse", false).put("name", name).build();
        return Layer.builder(name, "InputLayer").config(cfg)
                .entry(JsonObject.builder().put("module", "keras.layers").put("registered_name", JsonNull.INSTANCE).build())
                .build();
    }

    private static Layer layer2To3(Layer original) {
        Layer l = LegacyLayers.replace(original);
        Layer.Builder b = l.toBuilder();
        boolean custom = !BuiltinLayers.isBuiltin(l.className()) && l.nestedModel().isEmpty();
        String className = l.className().equals("Model") ? "Functional" : l.className();
        JsonObject entry = JsonObject.builder()
                .put("module", custom ? JsonNull.INSTANCE : l.nestedModel().isPresent() ? moduleOfModel(className) : "keras.layers")
                .put("registered_name", custom ? l.className() : JsonNull.INSTANCE)
                .build();
        b.className(className).entry(entry);
        if (l.nestedModel().isPresent()) {
            b.nestedModel(keras2To3(l.nestedModel().get()));
        } else {
            b.config(config2To3(l.className(), l.config()));
        }
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            // Keras 3 propagates masks itself; an explicit Keras 2 mask keyword is refused by most layers.
            JsonObject kwargs = n.kwargs().without("mask");
            InboundNode bare = new InboundNode(n.inputs(), kwargs, null);
            nodes.add(new InboundNode(n.inputs(), kwargs, ModelWriter.renderNode(bare, Dialect.KERAS3, l)));
        }
        return b.inboundNodes(nodes).build();
    }

    static JsonObject config2To3(String className, JsonObject c) {
        JsonObject out = c;
        if (out.has("batch_input_shape")) {
            if (className.equals("InputLayer")) out = out.renamed("batch_input_shape", "batch_shape");
            else out = out.without("batch_input_shape");
        }
        if (out.getBoolean("time_major", false)) {
            throw new UnsupportedModelException(className + " layer '" + c.getString("name", "?")
                    + "' is time-major, which Keras 3 layers do not support");
        }
        JsonObject.Builder b = out.toBuilder();
        for (var e : out.members().entrySet()) {
            String k = e.getKey();
            JsonValue v = e.getValue();
            if (k.equals("dtype") && !className.equals("InputLayer")) b.put(k, dtypePolicy(embeddingDtype(className, v)));
            else if (k.equals("layer") && v.isObject()) b.put(k, wrapped2To3(v.asObject()));
            else if (k.equals("backward_layer") && v.isObject()) b.put(k, wrapped2To3(v.asObject()));
            else if (isObjectRef(v)) b.put(k, objectRef2To3(k, v.asObject()));
        }
        if (className.equals("InputLayer") && out.get("dtype").isObject()) {
            b.put("dtype", out.getObject("dtype").getObject("config").getString("name", "float32"));
        }
        if (className.equals("InputLayer") && out.get("dtype").isString()) b.put("dtype", canonicalDtype(out.getString("dtype", "")));
        if (className.equals("Lambda")) lambda2To3(out, b);
        return dropUnaccepted(className, b.build());
    }

    /** Keras 3 refuses keyword arguments it does not know; drop those older Keras wrote (and say so). */
    private static JsonObject dropUnaccepted(String className, JsonObject config) {
        var accepted = Keras3LayerArgs.accepted(className);
        if (accepted.isEmpty()) return config;
        List<String> dropped = config.keys().stream().filter(k -> !accepted.get().contains(k)).toList();
        if (dropped.isEmpty()) return config;
        LOG.info("{} '{}': dropping {} (not accepted by Keras 3)", className, config.getString("name", "?"), dropped);
        return config.without(dropped.toArray(String[]::new));
    }

    /** The inner layer of a wrapper (TimeDistributed, Bidirectional) in Keras 3 form. */
    /**
     * Keras 2 stored a Lambda's function as {@code function_type} plus a base64 marshalled code tuple; Keras 3 keeps
     * the same triple (code, defaults, closure) under a {@code __lambda__} object. keras4j never runs that code.
     */
    private static void lambda2To3(JsonObject c, JsonObject.Builder b) {
        for (String key : new String[] {"function", "output_shape"}) {
            String type = c.getString(key + "_type", key.equals("function") ? "lambda" : "raw");
            JsonValue v = c.get(key);
            if (type.equals("lambda") && v.isArray() && v.asArray().size() == 3) {
                JsonObject code = JsonObject.builder().put("code", v.asArray().get(0)).put("defaults", v.asArray().get(1))
                        .put("closure", v.asArray().get(2)).build();
                b.put(key, JsonObject.builder().put("class_name", "__lambda__").put("config", code).build());
            } else if (type.equals("function")) {
                throw new UnsupportedModelException("Lambda layer '" + c.getString("name", "?") + "' refers to the named Python function '"
                        + v.asText() + "' (module " + c.getString(key + "_module", "?") + "), which Keras 3 cannot restore from a config");
            }
            b.remove(key + "_type").remove(key + "_module");
        }
    }

    private static JsonObject wrapped2To3(JsonObject inner) {
        String cls = inner.getString("class_name", "");
        boolean custom = !BuiltinLayers.isBuiltin(cls);
        return JsonObject.builder()
                .put("module", custom ? JsonNull.INSTANCE : "keras.layers")
                .put("class_name", cls)
                .put("config", config2To3(cls, inner.getObject("config")))
                .put("registered_name", custom ? cls : JsonNull.INSTANCE)
                .build();
    }

    private static boolean isObjectRef(JsonValue v) {
        return v.isObject() && v.asObject().has("class_name") && v.asObject().has("config");
    }

    private static JsonObject objectRef2To3(String key, JsonObject ref) {
        String module = key.endsWith("initializer") ? "keras.initializers"
                : key.endsWith("regularizer") ? "keras.regularizers"
                : key.endsWith("constraint") ? "keras.constraints" : null;
        if (module == null || ref.has("module")) return ref;
        return JsonObject.builder().put("module", module).put("class_name", ref.getString("class_name", ""))
                .put("config", ref.get("config")).put("registered_name", JsonNull.INSTANCE).build();
    }

    /** Keras 2 let an Embedding carry its integer input dtype; in Keras 3 that would make its weights integers. */
    private static JsonValue embeddingDtype(String className, JsonValue dtype) {
        boolean integer = dtype.isString() && io.keras4j.tensor.DType.fromKerasName(dtype.asText()).map(io.keras4j.tensor.DType::isInteger).orElse(false);
        return className.equals("Embedding") && integer ? new io.keras4j.json.JsonString("float32") : dtype;
    }

    /** Keras 2 accepted NumPy aliases such as {@code float}; Keras 3 wants canonical names. */
    static String canonicalDtype(String name) {
        return io.keras4j.tensor.DType.fromKerasName(name).map(io.keras4j.tensor.DType::kerasName).orElse(name);
    }

    private static JsonValue dtypePolicy(JsonValue v) {
        String name = canonicalDtype(v.isString() ? v.asText()
                : v.isObject() ? v.asObject().getObject("config").getString("name", "float32") : "float32");
        return JsonObject.builder().put("module", "keras").put("class_name", "DTypePolicy")
                .put("config", JsonObject.builder().put("name", name).build()).put("registered_name", JsonNull.INSTANCE).build();
    }

    // ---------------------------------------------------------------- Keras 3 -> 2

    static Model keras3To2(Model m) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) layers.add(layer3To2(l));
        JsonObject cfg = m.config().without("layers");
        if (!m.isSequential()) {
            cfg = cfg.with("input_layers", ModelWriter.refList(m.inputs())).with("output_layers", ModelWriter.refList(m.outputs()));
        }
        JsonObject entry = JsonObject.builder().put("keras_version", "2.21.0").put("backend", "tensorflow").build();
        return m.toBuilder().dialect(Dialect.KERAS2).config(cfg).entry(entry).layers(layers).build();
    }

    private static Layer layer3To2(Layer l) {
        Layer.Builder b = l.toBuilder().entry(JsonObject.EMPTY);
        l.registeredName().ifPresent(b::className);
        if (l.nestedModel().isPresent()) b.nestedModel(keras3To2(l.nestedModel().get()));
        else b.config(config3To2(l.className(), l.config()));
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            nodes.add(new InboundNode(n.inputs(), n.kwargs(), ModelWriter.renderNode(new InboundNode(n.inputs(), n.kwargs(), null), Dialect.KERAS2, l)));
        }
        return b.inboundNodes(nodes).build();
    }

    static JsonObject config3To2(String className, JsonObject c) {
        JsonObject out = c.renamed("batch_shape", "batch_input_shape").without("optional");
        JsonObject.Builder b = out.toBuilder();
        for (var e : out.members().entrySet()) {
            String k = e.getKey();
            JsonValue v = e.getValue();
            if (k.equals("dtype") && v.isObject()) b.put(k, v.asObject().getObject("config").getString("name", "float32"));
            else if ((k.equals("layer") || k.equals("backward_layer")) && v.isObject()) {
                JsonObject inner = v.asObject();
                String cls = inner.getString("registered_name", inner.getString("class_name", ""));
                b.put(k, JsonObject.builder().put("class_name", cls)
                        .put("config", config3To2(cls, inner.getObject("config"))).build());
            } else if (isObjectRef(v) && v.asObject().has("module")) {
                b.put(k, strip3(v.asObject()));
            }
        }
        return b.build();
    }

    private static JsonObject strip3(JsonObject ref) {
        return JsonObject.builder().put("class_name", ref.getString("class_name", "")).put("config", ref.get("config")).build();
    }

    static JsonArray shape(long[] dims) {
        JsonArray.Builder b = JsonArray.builder();
        for (long d : dims) b.add(d < 0 ? JsonNull.INSTANCE : (Object) d);
        return b.build();
    }
}
