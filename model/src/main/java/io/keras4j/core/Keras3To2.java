package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keras 3 to 2: legacy node lists, build shapes as {@code batch_input_shape}, mask-only operation nodes dropped, and
 * every config stripped of the keys tf.keras's constructors refuse.
 */
final class Keras3To2 {

    private Keras3To2() {}


    static Model convert(Model m) {
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
        return Keras2To3.shiftNodes(k2, delta, Dialect.KERAS2);
    }

    /** A Functional model, or a Sequential built on an input, was called once when it was built. */
    private static boolean hasConstructionNode(Model nested) {
        if (!nested.isSequential()) return true;
        return !nested.layers().isEmpty() && (nested.layers().get(0).className().equals("InputLayer")
                || nested.layers().get(0).batchInputShape().isPresent());
    }

    /**
     * Keras 3 operation nodes whose outputs only ever serve as {@code mask=}, directly or through other such nodes:
     * Keras 3 records the mask an Embedding or Masking layer implies (any(x != 0)) as such nodes, while tf.keras
     * propagates masks implicitly, so these nodes are dropped together with the mask keywords.
     */
    private static Set<String> maskOnlyOperations(Model m) {
        Set<String> ops = new java.util.HashSet<>();
        for (Layer l : m.layers()) if (l.isOperation()) ops.add(l.name());
        for (TensorRef r : m.outputs()) ops.remove(r.layer());
        // A node stops being mask-only once anything that is not itself mask-only passes it other than as mask=.
        boolean changed = !ops.isEmpty();
        while (changed) {
            changed = false;
            for (Layer l : m.layers()) {
                if (ops.contains(l.name())) continue;
                for (InboundNode n : l.inboundNodes()) {
                    for (TensorRef r : nonMaskRefs(n)) changed |= ops.remove(r.layer());
                }
            }
        }
        return ops;
    }

    private static List<TensorRef> nonMaskRefs(InboundNode n) {
        List<TensorRef> nonMask = new ArrayList<>();
        JsonValue raw = n.rawNode().orElse(null);
        if (raw != null && raw.isObject()) {
            KerasTensors.collect(raw.asObject().get("args"), nonMask);
            KerasTensors.collect(raw.asObject().getObject("kwargs").without("mask"), nonMask);
        } else {
            nonMask.addAll(n.inputs());
        }
        return nonMask;
    }

    private static Layer layer3To2(Layer l) {
        // tf.keras records the same calls as TFOpLambda / SlicingOpLambda layers.
        if (l.isOperation()) return TfOpLambdas.toKeras2(l);
        Layer.Builder b = l.toBuilder().entry(JsonObject.EMPTY);
        l.registeredName().ifPresent(b::className);
        // keras.applications' own classes under the name tf_keras registers them by (Custom>CustomScaleLayer).
        ApplicationLayers.identify(l.className(), l.module(), l.config()).ifPresent(kind -> {
            if (kind != ApplicationLayers.Kind.CUSTOM_SCALE) {
                // tf_keras registers only CustomScaleLayer: load_model and model_from_json fail on its own ConvNeXt files.
                throw new UnsupportedModelException(kind.className() + " layer '" + l.name() + "' cannot be written for "
                        + "tf.keras: tf_keras does not register its convnext " + kind.className() + " class, so it cannot "
                        + "rebuild the layer from a file (not even from one it wrote); a SavedModel of the model serves");
            }
            b.className(kind.registeredName(false));
        });
        if (l.nestedModel().isPresent()) {
            b.nestedModel(convert(l.nestedModel().get()));
        } else {
            refuseActivationsTfKerasLacks(l);
            JsonObject cfg = config3To2(l.className(), l.config());
            if (l.className().equals("MultiHeadAttention")) cfg = withBuildShapes(cfg, l.entry().getObject("build_config"));
            b.config(cfg);
        }
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            List<TensorRef> positional = positionalOf(n);
            // Keras 3 records training=True on a random image layer's node, yet the model call's training overrides
            // it; tf.keras would obey the recorded value, augmenting at inference, so the call decides there too.
            JsonObject kwargs = legacyRefKwargs(n.kwargs().without("mask", "training"));
            if (l.className().equals("MultiHeadAttention") && positional.size() > 1) {
                // tf.keras passes MultiHeadAttention's value (and key) by keyword; a list would become the query.
                kwargs = kwargs.with("value", KerasTensors.refArray(positional.get(1)));
                if (positional.size() > 2) kwargs = kwargs.with("key", KerasTensors.refArray(positional.get(2)));
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
        for (String key : Dialects.MHA_SHAPES) out = out.with(key, shapes.get(key));
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
            if (refs.size() == 1 && e.getValue().isObject()) out = out.with(e.getKey(), KerasTensors.refArray(refs.get(0)));
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
            else if ((k.equals("layer") || k.equals("backward_layer") || k.equals("cell")) && v.isObject()) {
                b.put(k, nested3To2(v.asObject()));
            } else if (k.equals("cells") && v.isArray()) {
                // StackedRNNCells: each cell is a layer config too (its dtype policy object would fail in tf.keras).
                JsonArray.Builder cells = JsonArray.builder();
                for (JsonValue cell : v.asArray().values()) cells.add(cell.isObject() ? nested3To2(cell.asObject()) : cell);
                b.put(k, cells.build());
            } else if (Keras2To3.isObjectRef(v) && v.asObject().has("module")) {
                String cls = v.asObject().getString("class_name", "");
                JsonObject cfg = k.endsWith("initializer") ? LayerArgs.KERAS2.forInitializer(cls, v.asObject().getObject("config"))
                        : v.asObject().getObject("config");
                b.put(k, JsonObject.builder().put("class_name", cls).put("config", cfg).build());
            }
        }
        if (className.equals("Lambda")) lambda3To2(out, b);
        return LayerArgs.KERAS2.forLayer(className, b.build(), LAMBDA_KERAS2_KEYS);
    }

    /** A wrapped layer's (or RNN cell's) Keras 3 object, as tf.keras's {class_name, config} with a tf.keras config. */
    private static JsonObject nested3To2(JsonObject inner) {
        String cls = inner.getString("registered_name", inner.getString("class_name", ""));
        return JsonObject.builder().put("class_name", cls).put("config", config3To2(cls, inner.getObject("config"))).build();
    }

    /**
     * The activation names tf_keras 2.21 resolves ({@code tf_keras.activations.get}); Keras 3's others (hard_silu,
     * celu, squareplus, ...) would fail to load there, and tf.keras has no layer to carry them.
     */
    private static final java.util.Set<String> TF_KERAS_ACTIVATIONS = java.util.Set.of("elu", "exponential", "gelu",
            "hard_sigmoid", "leaky_relu", "linear", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
            "softmax", "softplus", "softsign", "swish", "tanh");

    private static void refuseActivationsTfKerasLacks(Layer l) {
        for (String key : new String[] {"activation", "recurrent_activation"}) {
            JsonValue v = l.config().get(key);
            if (v.isString() && !TF_KERAS_ACTIVATIONS.contains(v.asText())) {
                throw new UnsupportedModelException(l.className() + " layer '" + l.name() + "' cannot be written for tf.keras: "
                        + "its " + key + " '" + v.asText() + "' is a Keras 3 function tf.keras does not have");
            }
        }
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

}
