package io.keras4j.core;

import io.keras4j.CorruptModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Provenance;
import io.keras4j.model.TensorRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Turns a Keras model JSON tree of any dialect into a {@link Model} that keeps every config verbatim. */
final class ModelReader {
    static final String LIST_CONFIG_MARK = "keras4j:config_is_list";
    private static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");
    private static final Set<String> KERAS1_ONLY_CLASSES = Set.of("Convolution1D", "Convolution2D", "Convolution3D",
            "Merge", "TimeDistributedDense", "AtrousConvolution1D", "AtrousConvolution2D", "Deconvolution2D",
            "MaxoutDense", "Highway", "SeparableConvolution2D");
    private static final Set<String> KERAS1_ONLY_KEYS = Set.of("nb_filter", "border_mode", "init", "input_dtype",
            "W_regularizer", "subsample", "dim_ordering", "inner_init", "nb_row");

    private final Path source;
    private final String codec;

    ModelReader(Path source, String codec) {
        this.source = source;
        this.codec = codec;
    }

    Model read(JsonValue top) {
        JsonObject entry = normalizeTop(top);
        Dialect dialect = detectDialect(entry);
        return readModel(entry, dialect, "");
    }

    private JsonObject normalizeTop(JsonValue top) {
        if (top.isArray()) return JsonObject.builder().put("class_name", "Sequential").put("config", top).build();
        if (!top.isObject()) throw corrupt("", "a Keras model JSON must be an object, found " + kind(top));
        JsonObject o = top.asObject();
        if (o.has("class_name")) return o;
        // model.get_config() output: the config without its class wrapper.
        if (o.get("layers").isArray()) {
            String cls = o.has("input_layers") ? "Functional" : "Sequential";
            return JsonObject.builder().put("class_name", cls).put("config", o).build();
        }
        throw corrupt("", "no 'class_name' and no 'layers': not a Keras model config");
    }

    /**
     * The dialect, from the clearest signal: the version stamp, else the spelling of inbound nodes, input shapes
     * and dtypes (tf_keras also writes {@code module} keys, so their presence alone does not mean Keras 3).
     */
    static Dialect detectDialect(JsonObject top) {
        String version = top.getString("keras_version", "");
        if (version.startsWith("1.")) return Dialect.KERAS1;
        if (version.startsWith("2.")) return Dialect.KERAS2;
        if (top.getString("module", "").startsWith("tf_keras") || top.getString("module", "").contains(".engine.")) return Dialect.KERAS2;
        Dialect found = scanLayers(top);
        if (found != null) return found;
        if (top.has("module") || top.has("registered_name") || version.startsWith("3.")) return Dialect.KERAS3;
        return Dialect.KERAS2;
    }

    /** The dialect the layers' spelling shows, or null when nothing decides it. */
    private static Dialect scanLayers(JsonObject modelEntry) {
        JsonValue cfg = modelEntry.get("config");
        JsonArray layers = cfg.isArray() ? cfg.asArray() : cfg.asObject().getArray("layers");
        for (JsonValue lv : layers) {
            JsonObject l = lv.asObject();
            String cls = l.getString("class_name", "");
            JsonObject c = l.getObject("config");
            if (KERAS1_ONLY_CLASSES.contains(cls)) return Dialect.KERAS1;
            for (String k : KERAS1_ONLY_KEYS) if (c.has(k)) return Dialect.KERAS1;
            if (c.has("output_dim") && !cls.equals("Embedding")) return Dialect.KERAS1;
            for (JsonValue node : l.getArray("inbound_nodes")) {
                if (node.isObject()) return Dialect.KERAS3;
                for (JsonValue t : node.asArray()) {
                    if (t.isArray() && t.asArray().size() == 3 && t.asArray().get(0).isString()) return Dialect.KERAS1;
                    if (t.isArray() && t.asArray().size() == 4) return Dialect.KERAS2;
                }
            }
            if (c.has("batch_shape") || c.get("dtype").asObject().has("module")) return Dialect.KERAS3;
            if (cls.equals("InputLayer") && c.has("batch_input_shape")) return Dialect.KERAS2;
            if (l.getString("module", "").startsWith("tf_keras")) return Dialect.KERAS2;
            if (MODEL_CLASSES.contains(cls)) {
                Dialect nested = scanLayers(l);
                if (nested != null) return nested;
            }
        }
        return null;
    }

    private Model readModel(JsonObject entry, Dialect dialect, String where) {
        String className = entry.getString("class_name", null);
        if (className == null) throw corrupt(where, "model entry has no 'class_name'");
        JsonValue cfgValue = entry.get("config");
        boolean listConfig = cfgValue.isArray();
        JsonObject config = listConfig ? JsonObject.builder().put("layers", cfgValue).build() : cfgValue.asObject();
        if (!listConfig && !cfgValue.isObject()) throw corrupt(where + "/config", "model config must be an object or a list");
        boolean sequential = className.equals("Sequential");
        String name = config.getString("name", entry.getString("name", sequential ? "sequential" : "model"));
        JsonArray layerEntries = config.getArray("layers");
        List<Layer> layers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < layerEntries.size(); i++) {
            Layer layer = readLayer(layerEntries.get(i), dialect, sequential, where + "/config/layers/" + i);
            // Keras refuses such a config too ("All layer names should be unique"); Model's own check is for callers' bugs.
            if (!names.add(layer.name())) throw corrupt(where + "/config/layers/" + i, "a second layer named '" + layer.name() + "'");
            layers.add(layer);
        }
        JsonObject.Builder rest = entry.toBuilder().remove("class_name").remove("config");
        if (listConfig) rest.put(LIST_CONFIG_MARK, true);
        Model.Builder b = Model.builder().name(name).className(className).dialect(dialect).config(config)
                .entry(rest.build()).layers(layers)
                .provenance(new Provenance(entry.getString("keras_version", null), entry.getString("backend", null), codec));
        if (!sequential) {
            b.inputs(refs(config.get("input_layers"), where + "/config/input_layers"));
            b.outputs(refs(config.get("output_layers"), where + "/config/output_layers"));
        }
        // Keras 3 writes {} for a model that was never compiled.
        JsonObject compile = entry.getObject("compile_config");
        if (compile.size() > 0) b.trainingConfig(compile);
        return b.build();
    }

    private Layer readLayer(JsonValue value, Dialect dialect, boolean inSequential, String where) {
        if (!value.isObject()) throw corrupt(where, "a layer must be an object, found " + kind(value));
        JsonObject l = value.asObject();
        String className = l.getString("class_name", null);
        if (className == null) throw corrupt(where, "layer has no 'class_name'");
        JsonObject config = l.get("config").asObject();
        String name = l.getString("name", config.getString("name", null));
        if (name == null) throw corrupt(where, "layer of class " + className + " has no name");
        Layer.Builder b = Layer.builder(name, className).config(config)
                .entry(l.toBuilder().remove("class_name").remove("config").remove("name").remove("inbound_nodes").build());
        JsonArray nodes = l.getArray("inbound_nodes");
        for (int i = 0; i < nodes.size(); i++) b.addInboundNode(readNode(nodes.get(i), where + "/inbound_nodes/" + i));
        boolean isModel = MODEL_CLASSES.contains(className)
                || (config.get("layers").isArray() && (config.has("input_layers") || l.has("inbound_nodes") && className.equals("Sequential")));
        if (isModel && (config.get("layers").isArray() || l.get("config").isArray())) {
            b.nestedModel(readModel(l.without("inbound_nodes", "name"), dialect, where));
        }
        return b.build();
    }

    private InboundNode readNode(JsonValue node, String where) {
        List<TensorRef> refs = new ArrayList<>();
        if (node.isObject()) {
            collectKerasTensors(node.asObject().get("args"), refs, where);
            collectKerasTensors(node.asObject().get("kwargs"), refs, where);
            return new InboundNode(refs, node.asObject().getObject("kwargs"), node);
        }
        if (!node.isArray()) throw corrupt(where, "an inbound node must be a list or an object");
        JsonObject kwargs = JsonObject.EMPTY;
        // tf.keras writes a TFOpLambda called on one tensor as a flat [name, node, tensor, kwargs] node.
        JsonArray tensors = !node.asArray().isEmpty() && node.asArray().get(0).isString() ? JsonArray.of(node) : node.asArray();
        for (JsonValue t : tensors) {
            JsonArray a = t.asArray();
            if (a.size() < 3 || !a.get(0).isString()) throw corrupt(where, "malformed inbound tensor " + t.toJson());
            if (a.get(0).asText().equals("_CONSTANT_VALUE")) continue;
            refs.add(ref(a, where));
            if (a.size() > 3 && a.get(3).isObject()) kwargs = a.get(3).asObject();
        }
        return new InboundNode(refs, kwargs, node);
    }

    private void collectKerasTensors(JsonValue v, List<TensorRef> out, String where) {
        if (v.isObject()) {
            JsonObject o = v.asObject();
            if ("__keras_tensor__".equals(o.getString("class_name", null))) {
                out.add(ref(o.getObject("config").getArray("keras_history"), where));
                return;
            }
            for (JsonValue m : o.members().values()) collectKerasTensors(m, out, where);
        } else if (v.isArray()) {
            for (JsonValue m : v.asArray()) collectKerasTensors(m, out, where);
        }
    }

    private List<TensorRef> refs(JsonValue v, String where) {
        List<TensorRef> out = new ArrayList<>();
        if (v.isNull()) return out;
        JsonArray a = v.asArray();
        if (a.size() == 3 && a.get(0).isString()) { out.add(ref(a, where)); return out; }
        collectRefs(a, out, where);
        return out;
    }

    private void collectRefs(JsonValue v, List<TensorRef> out, String where) {
        if (v.isArray() && v.asArray().size() >= 3 && v.asArray().get(0).isString()) { out.add(ref(v.asArray(), where)); return; }
        if (v.isArray()) for (JsonValue x : v.asArray()) collectRefs(x, out, where);
        else if (v.isObject()) for (JsonValue x : v.asObject().members().values()) collectRefs(x, out, where);
    }

    private TensorRef ref(JsonArray a, String where) {
        if (a.size() < 3 || !a.get(0).isString() || !a.get(1).isNumber() || !a.get(2).isNumber()) {
            throw corrupt(where, "expected [layer_name, node_index, tensor_index], found " + a.toJson());
        }
        return new TensorRef(a.get(0).asText(), ((JsonNumber) a.get(1)).intValue(), ((JsonNumber) a.get(2)).intValue());
    }

    private static String kind(JsonValue v) {
        return v.isArray() ? "a list" : v.isString() ? "a string" : v.isNumber() ? "a number" : v.isNull() ? "null" : "a value";
    }

    private CorruptModelException corrupt(String where, String message) {
        return CorruptModelException.in(source).codec(codec).at(where.isEmpty() ? "/" : where).because(message);
    }
}
