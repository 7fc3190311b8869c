package io.keras4j.core;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Model} already in the wanted dialect as Keras's JSON tree. Configs and nodes read from a file are
 * written back verbatim, so reading and writing the same dialect gives the same tree.
 */
final class ModelWriter {
    private ModelWriter() {}

    static JsonObject topLevel(Model m) {
        JsonObject.Builder out = JsonObject.builder();
        JsonObject entry = m.entry();
        if (m.dialect() == Dialect.KERAS3 && entry.has("module")) out.put("module", entry.get("module"));
        out.put("class_name", m.className());
        out.put("config", modelConfig(m));
        if (m.dialect() == Dialect.KERAS3 && entry.has("registered_name")) out.put("registered_name", entry.get("registered_name"));
        for (Map.Entry<String, JsonValue> e : entry.members().entrySet()) {
            if (!e.getKey().startsWith("keras4j:") && !e.getKey().equals("module") && !e.getKey().equals("registered_name")) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out.build();
    }

    /** The model's {@code config}: its own members with {@code layers} rendered from the layer list. */
    static JsonValue modelConfig(Model m) {
        JsonArray.Builder layers = JsonArray.builder();
        for (Layer l : m.layers()) layers.add(layerEntry(l, m));
        if (m.entry().getBoolean(ModelReader.LIST_CONFIG_MARK, false)) return layers.build();
        JsonObject.Builder cfg = m.config().toBuilder();
        if (!m.config().has("name")) cfg.put("name", m.name());
        cfg.put("layers", layers.build());
        // A functional model built in Java has its inputs and outputs as values only; Keras needs them in the config.
        if (!m.isSequential()) {
            if (!m.config().has("input_layers") && !m.inputs().isEmpty()) cfg.put("input_layers", refList(m.inputs()));
            if (!m.config().has("output_layers") && !m.outputs().isEmpty()) cfg.put("output_layers", refList(m.outputs()));
        }
        return cfg.build();
    }

    private static JsonObject layerEntry(Layer l, Model owner) {
        boolean graph = !owner.isSequential();
        Dialect d = owner.dialect();
        JsonObject.Builder out = JsonObject.builder();
        if (d == Dialect.KERAS3 && l.entry().has("module")) out.put("module", l.entry().get("module"));
        out.put("class_name", l.className());
        out.put("config", l.nestedModel().map(ModelWriter::modelConfig).orElse(l.config()));
        if (d == Dialect.KERAS3 && l.entry().has("registered_name")) out.put("registered_name", l.entry().get("registered_name"));
        for (Map.Entry<String, JsonValue> e : l.entry().members().entrySet()) {
            if (!e.getKey().equals("module") && !e.getKey().equals("registered_name")) out.put(e.getKey(), e.getValue());
        }
        if (graph) {
            out.put("name", l.name());
            JsonArray.Builder nodes = JsonArray.builder();
            for (InboundNode n : l.inboundNodes()) nodes.add(n.rawNode().orElseGet(() -> renderNode(n, d, l)));
            out.put("inbound_nodes", nodes.build());
        }
        return out.build();
    }

    /** A node with no source spelling, in the dialect's form. */
    static JsonValue renderNode(InboundNode n, Dialect d, Layer layer) {
        if (d == Dialect.KERAS3) {
            JsonArray.Builder tensors = JsonArray.builder();
            for (TensorRef r : n.inputs()) tensors.add(kerasTensor(r));
            JsonArray all = tensors.build();
            JsonObject kwargs = n.kwargs();
            if (all.size() > 1 && Dialects.takesInitialState(layer.className())) {
                // Keras 2 listed an RNN's initial states after its input; Keras 3 passes them as a keyword.
                kwargs = kwargs.with("initial_state", new JsonArray(all.values().subList(1, all.size())));
                all = JsonArray.of(all.get(0));
            }
            boolean list = all.size() > 1 || Dialects.takesList(layer.className());
            JsonValue args = list ? JsonArray.of(all) : all.isEmpty() ? JsonArray.EMPTY : JsonArray.of(all.get(0));
            return JsonObject.builder().put("args", args).put("kwargs", kwargs).build();
        }
        JsonArray.Builder node = JsonArray.builder();
        // Keras 2 lists initial states as extra inbound tensors, not as a keyword.
        JsonObject kwargs = n.kwargs().without("initial_state");
        for (TensorRef r : n.inputs()) {
            JsonArray.Builder t = JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor());
            if (d == Dialect.KERAS2) t.add(kwargs);
            node.add(t.build());
        }
        return node.build();
    }

    /**
     * A Keras 3 {@code __keras_tensor__}. Keras rebuilds the real tensor from {@code keras_history} when it
     * deserializes, so the placeholder shape is never used; it only has to be a valid shape.
     */
    static JsonObject kerasTensor(TensorRef r) {
        JsonObject cfg = JsonObject.builder().put("shape", JsonArray.EMPTY).put("dtype", "float32")
                .put("keras_history", JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor()).build()).build();
        return JsonObject.builder().put("class_name", "__keras_tensor__").put("config", cfg).build();
    }

    static JsonArray refList(List<TensorRef> refs) {
        JsonArray.Builder b = JsonArray.builder();
        for (TensorRef r : refs) b.add(JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor()).build());
        return b.build();
    }

    static JsonValue nullIfAbsent(JsonValue v) { return v == null ? JsonNull.INSTANCE : v; }
}
