package io.keras4j.format.savedmodel;

import io.keras4j.format.json.KerasTensors;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensors one layer call consumes, split as the layer sees them, and where its {@code mask} argument comes
 * from. Keras 2 layers take the masks their inputs carry. A Keras 3 node may record the {@code mask} argument as
 * keyword tensors (computed by operation nodes such as NotEqual/Any), which become masks instead of inputs; when
 * it records none, Keras 3 fills the argument from the inputs' masks only for a call with one tensor argument (a
 * list counts as one), as {@code Layer.__call__} does.
 *
 * @param masks {@code null} when the layer takes the masks its inputs carry; otherwise its {@code mask} argument
 *     per input ({@code null} entries: none; empty: no mask at all)
 */
record CallSite(List<TensorRef> inputs, List<TensorRef> masks) {

    static CallSite of(InboundNode node) {
        JsonValue raw = node.rawNode().orElse(null);
        if (raw == null || !raw.isObject() || !raw.asObject().has("args")) {
            // Keras 2: tensors passed by keyword (MultiHeadAttention's value=...) sit in the kwargs as [name, node, tensor].
            List<TensorRef> inputs = new ArrayList<>(node.inputs());
            for (JsonValue v : node.kwargs().members().values()) {
                TensorRef ref = KerasTensors.legacyRef(v);
                if (ref != null) inputs.add(ref);
            }
            return new CallSite(inputs, null);
        }
        List<TensorRef> inputs = new ArrayList<>();
        int tensorArguments = 0;
        for (JsonValue arg : raw.asObject().getArray("args")) {
            int before = inputs.size();
            KerasTensors.collect(arg, inputs);
            if (inputs.size() > before) tensorArguments++;
        }
        List<TensorRef> masks = new ArrayList<>();
        for (Map.Entry<String, JsonValue> kw : raw.asObject().getObject("kwargs").members().entrySet()) {
            int before = inputs.size();
            if (kw.getKey().equals("mask")) {
                JsonValue m = kw.getValue();
                for (JsonValue one : m.isArray() ? m.asArray().values() : List.of(m)) masks.add(KerasTensors.ref(one));
            } else if (KerasTensors.legacyRef(kw.getValue()) != null) {
                // A Keras 2 node converted to Keras 3 may keep keyword tensors as [name, node, tensor].
                inputs.add(KerasTensors.legacyRef(kw.getValue()));
            } else {
                KerasTensors.collect(kw.getValue(), inputs);
            }
            if (inputs.size() > before) tensorArguments++;
        }
        boolean recorded = masks.stream().anyMatch(java.util.Objects::nonNull);
        if (recorded) return new CallSite(inputs, masks);
        return new CallSite(inputs, tensorArguments == 1 ? null : List.of());
    }

    /** Every tensor this call waits for. */
    List<TensorRef> dependencies() {
        List<TensorRef> all = new ArrayList<>(inputs);
        if (masks != null) masks.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        return all;
    }



}
