package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.tensor.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 2 to 3: module and registered names, {@code batch_shape}, DTypePolicy objects, {@code __keras_tensor__} nodes,
 * nested-model node numbering, and every config stripped of the keys Keras 3's constructors refuse.
 */
final class Keras2To3 {
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();

    private Keras2To3() {}


    static Model convert(Model source) {
        Model m = renumberNestedModelNodes(source);
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
        boolean builtin = Dialects.isModelClass(m.className());
        JsonObject entry = JsonObject.builder()
                .put("module", builtin ? Dialects.moduleOfModel(className) : JsonNull.INSTANCE)
                .put("registered_name", builtin ? JsonNull.INSTANCE : m.className())
                .build();
        return m.toBuilder().dialect(Dialect.KERAS3).className(className).config(cfg).entry(entry).layers(layers).build();
    }

    /**
     * Keras 2 numbers the calls of a nested model after the node its own construction created, so the first call in
     * the outer graph is node 1; Keras 3 lists only the calls, so references shift down by that offset.
     */
    private static Model renumberNestedModelNodes(Model m) {
        Map<String, Integer> offsets = new HashMap<>();
        for (Layer l : m.layers()) {
            if (l.nestedModel().isEmpty()) continue;
            int min = Integer.MAX_VALUE;
            for (TensorRef r : allRefs(m)) if (r.layer().equals(l.name())) min = Math.min(min, r.node());
            if (min != Integer.MAX_VALUE && min > 0 && min >= l.inboundNodes().size() - 1) offsets.put(l.name(), min);
        }
        for (var e : offsets.entrySet()) e.setValue(-e.getValue());
        return shiftNodes(m, offsets, null);
    }

    /**
     * References to the given layers moved by a node delta; nodes are re-rendered in {@code dialect}, or left
     * without a source spelling when it is null (a later conversion renders them).
     */
    static Model shiftNodes(Model m, Map<String, Integer> delta, Dialect dialect) {
        if (delta.isEmpty()) return m;
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            List<InboundNode> nodes = new ArrayList<>();
            for (InboundNode n : l.inboundNodes()) {
                InboundNode moved = new InboundNode(shift(n.inputs(), delta), shiftKwargs(n.kwargs(), delta), null);
                nodes.add(dialect == null ? moved
                        : new InboundNode(moved.inputs(), moved.kwargs(), ModelWriter.renderNode(moved, dialect, l)));
            }
            layers.add(l.toBuilder().inboundNodes(nodes).build());
        }
        return m.toBuilder().layers(layers).inputs(shift(m.inputs(), delta)).outputs(shift(m.outputs(), delta)).build();
    }

    private static List<TensorRef> allRefs(Model m) {
        List<TensorRef> refs = new ArrayList<>(m.outputs());
        for (Layer l : m.layers()) {
            for (InboundNode n : l.inboundNodes()) {
                refs.addAll(n.inputs());
                for (JsonValue v : n.kwargs().members().values()) {
                    TensorRef r = KerasTensors.legacyRef(v);
                    if (r != null) refs.add(r);
                }
            }
        }
        return refs;
    }

    private static List<TensorRef> shift(List<TensorRef> refs, Map<String, Integer> offsets) {
        return refs.stream().map(r -> new TensorRef(r.layer(), r.node() + offsets.getOrDefault(r.layer(), 0), r.tensor())).toList();
    }

    private static JsonObject shiftKwargs(JsonObject kwargs, Map<String, Integer> offsets) {
        JsonObject out = kwargs;
        for (var e : kwargs.members().entrySet()) {
            TensorRef r = KerasTensors.legacyRef(e.getValue());
            if (r != null) out = out.with(e.getKey(), KerasTensors.refArray(shift(List.of(r), offsets).get(0)));
        }
        return out;
    }

    private static Layer inputLayer3(String name, long[] batchShape, String dtype) {
        JsonObject cfg = JsonObject.builder().put("batch_shape", KerasTensors.shape(batchShape)).put("dtype", canonicalDtype(dtype))
                .put("sparse", false).put("name", name).build();
        return Layer.builder(name, "InputLayer").config(cfg)
                .entry(JsonObject.builder().put("module", "keras.layers").put("registered_name", JsonNull.INSTANCE).build())
                .build();
    }

    private static Layer layer2To3(Layer original) {
        if (TfOpLambdas.OP_LAYERS.contains(original.className())) {
            try {
                return TfOpLambdas.toKeras3(original);
            } catch (UnsupportedModelException noKeras3Form) {
                // The runtime still runs the op layer as tf.keras recorded it; writing it for Keras 3 is refused.
            }
        }
        Layer l = LegacyLayers.replace(original);
        Layer.Builder b = l.toBuilder();
        // tf.keras spells registered custom classes either as "pkg>Name" or as Name with registered_name beside it.
        String className = l.className().equals("Model") ? "Functional" : l.className();
        String registered = l.registeredName().orElse(className.contains(">") ? className : null);
        if (className.contains(">")) className = className.substring(className.indexOf('>') + 1);
        boolean custom = !CATALOGUE.isBuiltin(className) && l.nestedModel().isEmpty();
        JsonObject entry = JsonObject.builder()
                .put("module", custom ? l.module().filter(mod -> !mod.startsWith("keras")).map(JsonValue::of).orElse(JsonNull.INSTANCE)
                        : l.nestedModel().isPresent() ? Dialects.moduleOfModel(className) : new JsonString("keras.layers"))
                .put("registered_name", custom ? (Object) (registered != null ? registered : className) : JsonNull.INSTANCE)
                .build();
        // keras.applications' own classes (ConvNeXt's LayerScale, ...): Keras 3 finds them through their module.
        java.util.Optional<ApplicationLayers.Kind> application = ApplicationLayers.identify(l.className(), l.module(), l.config());
        if (application.isPresent()) {
            className = application.get().className();
            entry = entry.with("module", application.get().keras3Module()).with("registered_name", application.get().registeredName(true));
        }
        b.className(className).entry(entry);
        if (l.nestedModel().isPresent()) b.nestedModel(convert(l.nestedModel().get()));
        else b.config(config2To3(className, l.config()));
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            // Keras 3 propagates masks itself; tensors passed by keyword become keras tensors.
            JsonObject kwargs = kerasTensorKwargs(n.kwargs().without("mask"));
            InboundNode bare = new InboundNode(n.inputs(), kwargs, null);
            nodes.add(new InboundNode(n.inputs(), kwargs, ModelWriter.renderNode(bare, Dialect.KERAS3, l.toBuilder().className(className).build())));
        }
        return b.inboundNodes(nodes).build();
    }

    private static JsonObject kerasTensorKwargs(JsonObject kwargs) {
        JsonObject out = kwargs;
        for (var e : kwargs.members().entrySet()) {
            TensorRef r = KerasTensors.legacyRef(e.getValue());
            if (r != null) out = out.with(e.getKey(), ModelWriter.kerasTensor(r));
        }
        return out;
    }

    static JsonObject config2To3(String className, JsonObject c) {
        if (c.getBoolean("time_major", false)) {
            throw new UnsupportedModelException(className + " layer '" + c.getString("name", "?")
                    + "' is time-major, which Keras 3 layers do not support");
        }
        JsonObject out = c;
        if (out.has("batch_input_shape")) {
            out = className.equals("InputLayer") ? out.renamed("batch_input_shape", "batch_shape") : out.without("batch_input_shape");
        }
        JsonObject.Builder b = out.toBuilder();
        for (var e : out.members().entrySet()) {
            String k = e.getKey();
            JsonValue v = e.getValue();
            if (k.equals("dtype") && !className.equals("InputLayer")) b.put(k, dtypePolicy(embeddingDtype(className, v)));
            else if ((k.equals("layer") || k.equals("backward_layer")) && v.isObject()) b.put(k, wrapped2To3(v.asObject()));
            else if (isObjectRef(v)) b.put(k, objectRef2To3(k, v.asObject()));
        }
        if (className.equals("InputLayer")) {
            JsonValue dt = out.get("dtype");
            b.put("dtype", canonicalDtype(dt.isObject() ? dt.asObject().getObject("config").getString("name", "float32")
                    : dt.isString() ? dt.asText() : "float32"));
        }
        // Keras 2 BatchNormalization accepted a one-element axis list; Keras 3 wants the int.
        if (out.get("axis").isArray() && out.getArray("axis").size() == 1 && className.endsWith("Normalization")
                && !className.equals("LayerNormalization")) {
            b.put("axis", out.getArray("axis").get(0));
        }
        if (className.equals("Lambda")) lambda2To3(out, b);
        if (className.equals("Bidirectional")) explicitBackwardLayer(out, b);
        // Keras 3 renamed LeakyReLU's alpha.
        if (className.equals("LeakyReLU") && out.has("alpha")) b.remove("alpha").put("negative_slope", out.get("alpha"));
        return LayerArgs.KERAS3.forLayer(className, b.build());
    }

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

    /**
     * tf.keras builds a Bidirectional's backward layer from the forward one with {@code go_backwards} flipped; Keras 3
     * always sets it to true, and refuses a forward layer that runs backwards too. So a forward layer with
     * {@code go_backwards} gets the backward layer tf.keras would have built written out explicitly.
     */
    private static void explicitBackwardLayer(JsonObject c, JsonObject.Builder b) {
        JsonValue forward = c.get("layer");
        if (c.get("backward_layer").isObject() || !forward.isObject() || !forward.asObject().get("config").isObject()) return;
        JsonObject fc = forward.asObject().getObject("config");
        if (!fc.getBoolean("go_backwards", false)) return;
        JsonObject backward = forward.asObject().with("config", fc.with("go_backwards", false)
                .with("name", "backward_" + fc.getString("name", c.getString("name", "layer"))));
        b.put("backward_layer", wrapped2To3(backward));
    }

    /** The inner layer of a wrapper (TimeDistributed, Bidirectional) in Keras 3 form. */
    private static JsonObject wrapped2To3(JsonObject inner) {
        String cls = inner.getString("class_name", "");
        boolean custom = !CATALOGUE.isBuiltin(cls);
        return JsonObject.builder()
                .put("module", custom ? JsonNull.INSTANCE : new JsonString("keras.layers"))
                .put("class_name", cls)
                .put("config", config2To3(cls, inner.getObject("config")))
                .put("registered_name", custom ? (Object) inner.getString("registered_name", cls) : JsonNull.INSTANCE)
                .build();
    }

    /**
     * A built-in layer of Keras 1 or 2 whose class Keras 3 does not have (per the constructor table dumped from Keras
     * 3 itself) would be written as a class Keras 3 cannot find, so the conversion is refused with the reason.
     */
    static void requireKeras3Class(String className, String layerName) {
        if (!CATALOGUE.isBuiltin(className) || Dialects.isModelClass(className) || LayerArgs.KERAS3.knowsLayer(className)) return;
        String why = CATALOGUE.find(className).flatMap(LayerCatalogue.LayerClass::keras3AbsentBecause)
                .orElse("Keras 3 has no layer class of that name");
        throw new UnsupportedModelException(className + " layer '" + layerName + "' cannot be written for Keras 3: " + why);
    }

    /**
     * Refuses, naming the node and its TensorFlow function, a tf.keras op layer of the source model that has no Keras 3
     * operation node: the conversion keeps such a layer for the runtime, which Keras 3 could not load.
     */
    static void requireKeras3OpNodes(Model source) {
        for (Layer l : source.layers()) {
            if (l.nestedModel().isPresent()) requireKeras3OpNodes(l.nestedModel().get());
            else if (TfOpLambdas.OP_LAYERS.contains(l.className())) TfOpLambdas.toKeras3(l);
        }
    }

    static boolean isObjectRef(JsonValue v) {
        return v.isObject() && v.asObject().has("class_name") && v.asObject().has("config");
    }

    private static JsonObject objectRef2To3(String key, JsonObject ref) {
        String module = key.endsWith("initializer") ? "keras.initializers"
                : key.endsWith("regularizer") ? "keras.regularizers"
                : key.endsWith("constraint") ? "keras.constraints" : null;
        if (module == null) return ref;
        String cls = ref.getString("class_name", "");
        JsonObject cfg = module.equals("keras.initializers") ? LayerArgs.KERAS3.forInitializer(cls, ref.getObject("config")) : ref.getObject("config");
        return JsonObject.builder().put("module", module).put("class_name", cls)
                .put("config", cfg).put("registered_name", JsonNull.INSTANCE).build();
    }

    /** Keras 2 let an Embedding carry its integer input dtype; in Keras 3 that would make its weights integers. */
    private static JsonValue embeddingDtype(String className, JsonValue dtype) {
        boolean integer = dtype.isString() && DType.fromKerasName(dtype.asText()).map(DType::isInteger).orElse(false);
        return className.equals("Embedding") && integer ? new JsonString("float32") : dtype;
    }

    /** Keras 2 accepted NumPy aliases such as {@code float}; Keras 3 wants canonical names. */
    static String canonicalDtype(String name) {
        return DType.fromKerasName(name).map(DType::kerasName).orElse(name);
    }

    private static JsonValue dtypePolicy(JsonValue v) {
        String name = canonicalDtype(v.isString() ? v.asText()
                : v.isObject() ? v.asObject().getObject("config").getString("name", "float32") : "float32");
        return JsonObject.builder().put("module", "keras").put("class_name", "DTypePolicy")
                .put("config", JsonObject.builder().put("name", name).build()).put("registered_name", JsonNull.INSTANCE).build();
    }

}
