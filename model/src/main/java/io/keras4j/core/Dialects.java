package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts a model between Keras dialects: Keras 1 to 2 (renamed classes and config keys), Keras 2 to 3 (module
 * and registered names, {@code batch_shape}, DTypePolicy objects, {@code __keras_tensor__} nodes) and Keras 3 to 2.
 * Weights and provenance are kept; every layer config is rewritten in the target's spelling and stripped of keys
 * the target's constructors refuse (tables dumped from real Keras, see {@link LayerArgs}).
 */
public final class Dialects {
    private static final Logger LOG = LoggerFactory.getLogger(Dialects.class);
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();
    private static final String[] MHA_SHAPES = {"query_shape", "key_shape", "value_shape"};

    private Dialects() {}

    /** Whether extra inbound tensors of this layer are its initial states (recurrent layers). */
    private static boolean isModelClass(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::isModel); }

    public static boolean takesInitialState(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::takesInitialState); }

    /** Whether a layer of this class is called with a list of tensors (merge layers). */
    public static boolean takesList(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::takesList); }

    /** As {@link #convertForWriting(Model, Dialect, boolean)}, refusing any change of meaning. */
    public static Model convertForWriting(Model model, Dialect target) {
        return convertForWriting(model, target, false);
    }

    /**
     * As {@link #convert}, for writers: a layer whose meaning the target generation changes would make real Keras
     * predict differently from the source, so it is refused with an {@link UnsupportedModelException} naming each such
     * layer, unless {@code allowSemanticChange} (the user's explicit choice), when each is logged as a warning.
     */
    public static Model convertForWriting(Model model, Dialect target, boolean allowSemanticChange) {
        if (model.dialect() != target) {
            List<String> changes = meaningChanges(model, target);
            if (!changes.isEmpty() && !allowSemanticChange) {
                throw new UnsupportedModelException("converting model '" + model.name() + "' to " + target + " would change "
                        + "its predictions: " + String.join("; ", changes) + ". No layer of the target has the source's "
                        + "meaning; to write it anyway, allow the change (keras4j convert --allow-semantic-change, "
                        + "WriteOptions.withAllowSemanticChange(true))");
            }
            changes.forEach(LOG::warn);
            lambdaBytecode(model).forEach(LOG::warn);
        }
        Model converted = convert(model, target);
        // The runtime runs tf.keras op layers in Keras 3 form, but Keras 3 itself has no class for them.
        if (target == Dialect.KERAS3 && model.dialect() != Dialect.KERAS3) requireKeras3Classes(converted);
        return converted;
    }

    private static void requireKeras3Classes(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                requireKeras3Classes(l.nestedModel().get());
                continue;
            }
            requireKeras3Class(l.className(), l.name());
            if (l.name().contains("/")) {
                // tf.keras applications name layers Conv/BatchNorm; Keras 3's Layer refuses '/' in a name.
                throw new UnsupportedModelException(l.className() + " layer '" + l.name() + "' cannot be written for Keras 3: "
                        + "Keras 3 layer names cannot contain '/'; rename it first (keras4j edit IN OUT --rename '"
                        + l.name() + "=" + l.name().replace('/', '_') + "')");
            }
            for (String wrapped : new String[] {"layer", "backward_layer"}) {
                JsonValue inner = l.config().get(wrapped);
                if (inner.isObject() && inner.asObject().has("class_name")) {
                    JsonValue innerConfig = inner.asObject().get("config");
                    requireKeras3Class(inner.asObject().getString("class_name", ""),
                            innerConfig.isObject() ? innerConfig.asObject().getString("name", "?") : "?");
                }
            }
        }
    }

    /**
     * The Lambda layers whose function is Python bytecode (marshalled by the Python that saved the file): keras4j copies
     * it unchanged and never runs it, but Keras can rebuild the layer only under a Python whose bytecode format is the
     * same ("bad marshal data" or "EOF read where object expected" elsewhere), so converting says so for each.
     */
    public static List<String> lambdaBytecode(Model model) {
        List<String> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) out.addAll(lambdaBytecode(l.nestedModel().get()));
            else if (l.className().equals("Lambda") && holdsBytecode(l.config())) {
                out.add("Lambda layer '" + l.name() + "' holds Python bytecode, copied unchanged: Keras can load the "
                        + "converted file only under a Python version whose bytecode matches the one that saved the source");
            }
        }
        return out;
    }

    private static boolean holdsBytecode(JsonObject config) {
        JsonValue f = config.get("function");
        if (f.isObject()) return "__lambda__".equals(f.asObject().getString("class_name", null));
        return f.isArray() && config.getString("function_type", "lambda").equals("lambda");
    }

    /**
     * The layers a conversion keeps by name but not by function: {@code hard_sigmoid} is {@code clip(0.2x + 0.5)}
     * in Keras 1 and 2, {@code relu6(x + 3) / 6} in Keras 3, and neither generation has a builtin for the other's.
     */
    public static List<String> meaningChanges(Model model, Dialect target) {
        boolean fromKeras3 = model.dialect() == Dialect.KERAS3;
        if (fromKeras3 == (target == Dialect.KERAS3)) return List.of();
        String meaning = fromKeras3 ? "relu6(x + 3) / 6 in Keras 3 but clip(0.2 * x + 0.5, 0, 1) in Keras 1 and 2"
                : "clip(0.2 * x + 0.5, 0, 1) in Keras 1 and 2 but relu6(x + 3) / 6 in Keras 3";
        List<String> out = new ArrayList<>();
        collectHardSigmoids(model, meaning, target, out);
        return out;
    }

    private static void collectHardSigmoids(Model model, String meaning, Dialect target, List<String> out) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) collectHardSigmoids(l.nestedModel().get(), meaning, target, out);
            collectHardSigmoids(l.className(), l.name(), l.config(), meaning, target, out);
        }
    }

    /** Wrappers (Bidirectional, TimeDistributed, RNN) carry the wrapped layer's config, which may use it too. */
    private static void collectHardSigmoids(String className, String name, JsonObject c, String meaning, Dialect target,
                                            List<String> out) {
        // Keras 1 named a recurrent layer's gate activation inner_activation (its default was hard_sigmoid too).
        for (String key : new String[] {"activation", "recurrent_activation", "inner_activation"}) {
            if ("hard_sigmoid".equals(c.getString(key, null))) {
                out.add(className + " layer '" + name + "': " + key + " hard_sigmoid means " + meaning + ", so "
                        + (target == Dialect.KERAS3 ? "Keras 3" : "tf.keras") + " predicts differently from the source "
                        + "(keras4j's runtime keeps the source's meaning)");
            }
        }
        for (String wrapped : new String[] {"layer", "backward_layer", "cell"}) {
            JsonValue inner = c.get(wrapped);
            if (inner.isObject() && inner.asObject().get("config").isObject()) {
                JsonObject innerConfig = inner.asObject().getObject("config");
                collectHardSigmoids(inner.asObject().getString("class_name", "?"), innerConfig.getString("name", name + "/" + wrapped),
                        innerConfig, meaning, target, out);
            }
        }
    }

    public static Model convert(Model model, Dialect target) {
        Model m = model;
        while (m.dialect() != target) {
            switch (m.dialect()) {
                case KERAS1 -> m = Keras1To2.convert(m);
                case KERAS2 -> {
                    if (target != Dialect.KERAS3) {
                        throw new UnsupportedModelException("writing the " + target + " dialect is not supported (model '"
                                + m.name() + "' is " + m.dialect() + "); write KERAS2 or KERAS3");
                    }
                    m = keras2To3(m);
                }
                case KERAS3 -> m = keras3To2(m);
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- Keras 2 -> 3

    static Model keras2To3(Model source) {
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
        boolean builtin = isModelClass(m.className());
        JsonObject entry = JsonObject.builder()
                .put("module", builtin ? moduleOfModel(className) : JsonNull.INSTANCE)
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
    private static Model shiftNodes(Model m, Map<String, Integer> delta, Dialect dialect) {
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
                    TensorRef r = legacyRef(v);
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
            TensorRef r = legacyRef(e.getValue());
            if (r != null) out = out.with(e.getKey(), refArray(shift(List.of(r), offsets).get(0)));
        }
        return out;
    }

    private static Layer inputLayer3(String name, long[] batchShape, String dtype) {
        JsonObject cfg = JsonObject.builder().put("batch_shape", shape(batchShape)).put("dtype", canonicalDtype(dtype))
                .put("sparse", false).put("name", name).build();
        return Layer.builder(name, "InputLayer").config(cfg)
                .entry(JsonObject.builder().put("module", "keras.layers").put("registered_name", JsonNull.INSTANCE).build())
                .build();
    }

    private static Layer layer2To3(Layer original) {
        Layer l = LegacyLayers.replace(original);
        Layer.Builder b = l.toBuilder();
        // tf.keras spells registered custom classes either as "pkg>Name" or as Name with registered_name beside it.
        String className = l.className().equals("Model") ? "Functional" : l.className();
        String registered = l.registeredName().orElse(className.contains(">") ? className : null);
        if (className.contains(">")) className = className.substring(className.indexOf('>') + 1);
        boolean custom = !CATALOGUE.isBuiltin(className) && l.nestedModel().isEmpty();
        JsonObject entry = JsonObject.builder()
                .put("module", custom ? l.module().filter(mod -> !mod.startsWith("keras")).map(JsonValue::of).orElse(JsonNull.INSTANCE)
                        : l.nestedModel().isPresent() ? moduleOfModel(className) : new JsonString("keras.layers"))
                .put("registered_name", custom ? (Object) (registered != null ? registered : className) : JsonNull.INSTANCE)
                .build();
        b.className(className).entry(entry);
        if (l.nestedModel().isPresent()) b.nestedModel(keras2To3(l.nestedModel().get()));
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
            TensorRef r = legacyRef(e.getValue());
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
    private static void requireKeras3Class(String className, String layerName) {
        if (!CATALOGUE.isBuiltin(className) || isModelClass(className) || LayerArgs.KERAS3.knowsLayer(className)) return;
        String why = CATALOGUE.find(className).flatMap(LayerCatalogue.LayerClass::keras3AbsentBecause)
                .orElse("Keras 3 has no layer class of that name");
        throw new UnsupportedModelException(className + " layer '" + layerName + "' cannot be written for Keras 3: " + why);
    }

    private static boolean isObjectRef(JsonValue v) {
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

    /** The module Keras 3 itself writes for its model classes. */
    /**
     * A Keras 3 model whose config names classes without their {@code module} and {@code registered_name} (a Keras 3
     * legacy {@code .h5}'s model_config leaves them out, and a model built in Java may too) with both filled in as
     * Keras 3 writes them in a {@code .keras}: {@code keras} for Sequential, {@code keras.src.models.functional} for
     * Functional, {@code keras.layers} for built-in layers, its ops module for an operation node ({@code NotEqual}: {@code
     * keras.src.ops.numpy}, from the table dumped from Keras 3), and the class name registered for anything else. Keras 3's
     * {@code .keras} loader cannot locate even its own Sequential without them.
     */
    public static Model withKeras3Modules(Model m) {
        if (m.dialect() != Dialect.KERAS3) return m;
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            Layer.Builder b = l.toBuilder();
            if (l.nestedModel().isPresent()) b.nestedModel(withKeras3Modules(l.nestedModel().get()));
            if (!l.entry().has("module")) {
                boolean nested = l.nestedModel().isPresent();
                boolean builtin = nested ? isModelClass(l.className()) : CATALOGUE.isBuiltin(l.className());
                // Keras 3 operation nodes (x != 0 as NotEqual) are named by their ops module and registered by class.
                java.util.Optional<String> operation = builtin || nested ? java.util.Optional.empty()
                        : LayerArgs.KERAS3.operationModule(l.className());
                JsonValue module = nested ? moduleOfModel(l.className()) : builtin ? new JsonString("keras.layers")
                        : operation.<JsonValue>map(JsonString::new).orElse(JsonNull.INSTANCE);
                b.entry(l.entry().with("module", module).with("registered_name",
                        builtin ? JsonNull.INSTANCE : (Object) l.registeredName().orElse(l.className())));
            }
            layers.add(b.build());
        }
        JsonObject entry = m.entry();
        if (!entry.has("module")) {
            boolean builtin = isModelClass(m.className());
            entry = entry.with("module", builtin ? moduleOfModel(m.className()) : JsonNull.INSTANCE)
                    .with("registered_name", builtin ? JsonNull.INSTANCE : (Object) m.className());
        }
        return m.toBuilder().entry(entry).layers(layers).build();
    }

    private static JsonValue moduleOfModel(String className) {
        return switch (className) {
            case "Sequential" -> new JsonString("keras");
            case "Functional" -> new JsonString("keras.src.models.functional");
            default -> JsonNull.INSTANCE;
        };
    }

    // ---------------------------------------------------------------- Keras 3 -> 2

    static Model keras3To2(Model m) {
        Set<String> maskOnly = maskOnlyOperations(m);
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) if (!maskOnly.contains(l.name())) layers.add(layer3To2(l));
        JsonObject cfg = m.config().without("layers");
        if (!m.isSequential()) {
            cfg = cfg.with("input_layers", ModelWriter.refList(m.inputs())).with("output_layers", ModelWriter.refList(m.outputs()));
        }
        JsonObject entry = JsonObject.builder().put("keras_version", LayerArgs.KERAS2.kerasVersion().orElse("2.21.0"))
                .put("backend", "tensorflow").build();
        Model k2 = m.toBuilder().dialect(Dialect.KERAS2).config(cfg).entry(entry).layers(layers).build();
        // tf.keras counts a nested model's own construction as its node 0, so its calls start at node 1.
        Map<String, Integer> delta = new HashMap<>();
        for (Layer l : k2.layers()) {
            if (l.nestedModel().isPresent() && hasConstructionNode(l.nestedModel().get())) delta.put(l.name(), 1);
        }
        return shiftNodes(k2, delta, Dialect.KERAS2);
    }

    /** A Functional model, or a Sequential built on an input, was called once when it was built. */
    private static boolean hasConstructionNode(Model nested) {
        if (!nested.isSequential()) return true;
        return !nested.layers().isEmpty() && (nested.layers().get(0).className().equals("InputLayer")
                || nested.layers().get(0).batchInputShape().isPresent());
    }

    /**
     * Keras 3 operation nodes whose outputs are only ever passed as {@code mask=}: Keras 3 records the mask an
     * Embedding or Masking layer implies (x != 0) as such nodes, while tf.keras propagates masks implicitly, so
     * these nodes are dropped together with the mask keywords.
     */
    private static Set<String> maskOnlyOperations(Model m) {
        Set<String> ops = new java.util.HashSet<>();
        for (Layer l : m.layers()) if (l.isOperation()) ops.add(l.name());
        if (ops.isEmpty()) return ops;
        for (Layer l : m.layers()) {
            for (InboundNode n : l.inboundNodes()) {
                List<TensorRef> nonMask = new ArrayList<>();
                JsonValue raw = n.rawNode().orElse(null);
                if (raw != null && raw.isObject()) {
                    KerasTensors.collect(raw.asObject().get("args"), nonMask);
                    KerasTensors.collect(raw.asObject().getObject("kwargs").without("mask"), nonMask);
                } else {
                    nonMask.addAll(n.inputs());
                }
                for (TensorRef r : nonMask) ops.remove(r.layer());
            }
        }
        for (TensorRef r : m.outputs()) ops.remove(r.layer());
        return ops;
    }

    private static Layer layer3To2(Layer l) {
        if (l.isOperation()) {
            throw new UnsupportedModelException("node '" + l.name() + "' is a Keras 3 operation (" + l.className()
                    + "), which tf.keras has no layer for; the Keras 2 dialect cannot express it");
        }
        Layer.Builder b = l.toBuilder().entry(JsonObject.EMPTY);
        l.registeredName().ifPresent(b::className);
        if (l.nestedModel().isPresent()) {
            b.nestedModel(keras3To2(l.nestedModel().get()));
        } else {
            JsonObject cfg = config3To2(l.className(), l.config());
            if (l.className().equals("MultiHeadAttention")) cfg = withBuildShapes(cfg, l.entry().getObject("build_config"));
            b.config(cfg);
        }
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            List<TensorRef> positional = positionalOf(n);
            JsonObject kwargs = legacyRefKwargs(n.kwargs().without("mask"));
            if (l.className().equals("MultiHeadAttention") && positional.size() > 1) {
                // tf.keras passes MultiHeadAttention's value (and key) by keyword; a list would become the query.
                kwargs = kwargs.with("value", refArray(positional.get(1)));
                if (positional.size() > 2) kwargs = kwargs.with("key", refArray(positional.get(2)));
                positional = positional.subList(0, 1);
            }
            InboundNode bare = new InboundNode(positional, kwargs, null);
            nodes.add(new InboundNode(positional, kwargs, ModelWriter.renderNode(bare, Dialect.KERAS2, l)));
        }
        return b.inboundNodes(nodes).build();
    }

    /** tf.keras rebuilds MultiHeadAttention from the shapes in its config; Keras 3 keeps them in build_config. */
    private static JsonObject withBuildShapes(JsonObject cfg, JsonObject buildConfig) {
        JsonObject shapes = buildConfig.getObject("shapes_dict");
        JsonObject out = cfg;
        // tf.keras's from_config pops all three and builds the layer only when none is null; Keras 3 records no key
        // shape when the key is the value.
        for (String key : MHA_SHAPES) out = out.with(key, shapes.get(key));
        if (out.get("key_shape").isNull()) out = out.with("key_shape", out.get("value_shape"));
        return out;
    }

    /** The tensors a node passes positionally (Keras 3 nodes also carry keyword tensors such as masks). */
    private static List<TensorRef> positionalOf(InboundNode n) {
        JsonValue raw = n.rawNode().orElse(null);
        if (raw == null || !raw.isObject()) return n.inputs();
        List<TensorRef> out = new ArrayList<>();
        KerasTensors.collect(raw.asObject().get("args"), out);
        return out;
    }

    private static JsonObject legacyRefKwargs(JsonObject kwargs) {
        JsonObject out = kwargs;
        for (var e : kwargs.members().entrySet()) {
            List<TensorRef> refs = new ArrayList<>();
            KerasTensors.collect(e.getValue(), refs);
            if (refs.size() == 1 && e.getValue().isObject()) out = out.with(e.getKey(), refArray(refs.get(0)));
        }
        return out;
    }

    static JsonObject config3To2(String className, JsonObject c) {
        JsonObject out = c.renamed("batch_shape", "batch_input_shape");
        JsonObject.Builder b = out.toBuilder();
        for (var e : out.members().entrySet()) {
            String k = e.getKey();
            JsonValue v = e.getValue();
            if (k.equals("dtype") && v.isObject()) b.put(k, v.asObject().getObject("config").getString("name", "float32"));
            else if (k.equals("negative_slope") && className.equals("LeakyReLU")) b.remove(k).put("alpha", v);
            else if ((k.equals("layer") || k.equals("backward_layer")) && v.isObject()) {
                JsonObject inner = v.asObject();
                String cls = inner.getString("registered_name", inner.getString("class_name", ""));
                b.put(k, JsonObject.builder().put("class_name", cls)
                        .put("config", config3To2(cls, inner.getObject("config"))).build());
            } else if (isObjectRef(v) && v.asObject().has("module")) {
                String cls = v.asObject().getString("class_name", "");
                JsonObject cfg = k.endsWith("initializer") ? LayerArgs.KERAS2.forInitializer(cls, v.asObject().getObject("config"))
                        : v.asObject().getObject("config");
                b.put(k, JsonObject.builder().put("class_name", cls).put("config", cfg).build());
            }
        }
        if (className.equals("Lambda")) lambda3To2(out, b);
        return LayerArgs.KERAS2.forLayer(className, b.build(), LAMBDA_KERAS2_KEYS);
    }

    /** Config keys tf.keras reads in from_config although its constructors do not take them. */
    private static final String[] LAMBDA_KERAS2_KEYS = {"query_shape", "key_shape", "value_shape", "function_type",
            "module", "output_shape_type", "output_shape_module"};

    /** The inverse of {@link #lambda2To3}: Keras 3's {@code __lambda__} objects back to tf.keras's code triples. */
    private static void lambda3To2(JsonObject c, JsonObject.Builder b) {
        for (String key : new String[] {"function", "output_shape"}) {
            JsonValue v = c.get(key);
            String moduleKey = key.equals("function") ? "module" : "output_shape_module";
            if (v.isObject() && "__lambda__".equals(v.asObject().getString("class_name", null))) {
                JsonObject code = v.asObject().getObject("config");
                b.put(key, JsonArray.builder().add(code.get("code")).add(code.get("defaults")).add(code.get("closure")).build());
                b.put(key + "_type", "lambda");
                b.put(moduleKey, "__main__");
            } else if (v.isObject() && v.asObject().has("class_name")) {
                throw new UnsupportedModelException("Lambda layer '" + c.getString("name", "?") + "' refers to a named function ("
                        + v.toJson() + "), which keras4j cannot express for tf.keras");
            } else {
                b.put(key, v);
                b.put(key + "_type", "raw");
                b.put(moduleKey, JsonNull.INSTANCE);
            }
        }
        if (!c.has("arguments")) b.put("arguments", JsonObject.EMPTY);
    }

    // ---------------------------------------------------------------- helpers

    /** A tf.keras keyword tensor: {@code [layer_name, node_index, tensor_index]}. */
    static TensorRef legacyRef(JsonValue v) {
        if (!v.isArray()) return null;
        JsonArray a = v.asArray();
        if (a.size() != 3 || !a.get(0).isString() || !a.get(1).isNumber() || !a.get(2).isNumber()) return null;
        long[] idx = a.toLongs();
        return new TensorRef(a.get(0).asText(), (int) idx[1], (int) idx[2]);
    }

    private static JsonArray refArray(TensorRef r) {
        return JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor()).build();
    }

    static JsonArray shape(long[] dims) {
        JsonArray.Builder b = JsonArray.builder();
        for (long d : dims) b.add(d < 0 ? JsonNull.INSTANCE : (Object) d);
        return b.build();
    }
}
