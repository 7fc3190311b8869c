package io.keras4j.runtime.graph;

import io.keras4j.format.json.KerasTensors;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensors one layer call consumes, split as the layer sees them. Keras 3 records masks as explicit
 * {@code mask} keyword tensors (computed by operation nodes such as NotEqual/Any); those become the masks of the
 * positional inputs instead of inputs. Older nodes carry no masks: masks then propagate implicitly.
 *
 * @param masks {@code null} when masks propagate implicitly; otherwise the mask of each input ({@code null} entries: none)
 */
record CallSite(List<TensorRef> inputs, List<TensorRef> masks) {

    static CallSite of(InboundNode node) {
        JsonValue raw = node.rawNode().orElse(null);
        if (raw == null || !raw.isObject() || !raw.asObject().has("args")) {
            // Keras 2: tensors passed by keyword (MultiHeadAttention's value=...) sit in the kwargs as [name, node, tensor].
            List<TensorRef> inputs = new ArrayList<>(node.inputs());
            for (JsonValue v : node.kwargs().members().values()) {
                if (KerasTensors.legacyRef(v) != null) inputs.add(KerasTensors.legacyRef(v));
            }
            return new CallSite(inputs, null);
        }
        List<TensorRef> inputs = new ArrayList<>();
        KerasTensors.collect(raw.asObject().get("args"), inputs);
        List<TensorRef> masks = null;
        for (Map.Entry<String, JsonValue> kw : raw.asObject().getObject("kwargs").members().entrySet()) {
            if (kw.getKey().equals("mask")) {
                masks = new ArrayList<>();
                JsonValue m = kw.getValue();
                for (JsonValue one : m.isArray() ? m.asArray().values() : List.of(m)) masks.add(KerasTensors.ref(one));
            } else if (KerasTensors.legacyRef(kw.getValue()) != null) {
                // A Keras 2 node converted to Keras 3 may keep keyword tensors as [name, node, tensor].
                inputs.add(KerasTensors.legacyRef(kw.getValue()));
            } else {
                KerasTensors.collect(kw.getValue(), inputs);
            }
        }
        return new CallSite(inputs, masks);
    }



}
