package io.keras4j.core;

import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensors one recorded layer call consumes, as the layer sees them. A Keras 3 node records its arguments: the
 * tensors in {@code args} and keyword arguments are the inputs, while a {@code mask} keyword (tensors computed by
 * operation nodes such as NotEqual/Any) holds the call's mask argument per input. Older nodes list their inputs, plus
 * keyword tensors as {@code [layer, node, tensor]} (MultiHeadAttention's {@code value=}), and record no masks.
 *
 * @param maskArguments the recorded {@code mask} argument per input ({@code null} entries: none), or {@code null}
 *     when the node records none
 * @param tensorArguments how many arguments hold tensors (a list counts as one), which decides whether Keras 3
 *     fills an unrecorded mask argument from the inputs; for an older node, the number of inputs
 * @param recorded whether the node records its arguments (Keras 3) rather than listing its inputs
 */
public record KerasCall(List<TensorRef> inputs, List<TensorRef> maskArguments, int tensorArguments, boolean recorded) {
    public KerasCall {
        inputs = List.copyOf(inputs);
        maskArguments = maskArguments == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(maskArguments));
    }

    public static KerasCall of(InboundNode node) {
        JsonValue raw = node.rawNode().orElse(null);
        if (raw == null || !raw.isObject() || !raw.asObject().has("args")) {
            List<TensorRef> inputs = new ArrayList<>(node.inputs());
            for (JsonValue v : node.kwargs().members().values()) {
                TensorRef ref = KerasTensors.legacyRef(v);
                if (ref != null) inputs.add(ref);
            }
            return new KerasCall(inputs, null, inputs.size(), false);
        }
        List<TensorRef> inputs = new ArrayList<>();
        int tensorArguments = 0;
        for (JsonValue arg : raw.asObject().getArray("args")) {
            int before = inputs.size();
            KerasTensors.collect(arg, inputs);
            if (inputs.size() > before) tensorArguments++;
        }
        List<TensorRef> masks = null;
        for (Map.Entry<String, JsonValue> kw : raw.asObject().getObject("kwargs").members().entrySet()) {
            int before = inputs.size();
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
            if (inputs.size() > before) tensorArguments++;
        }
        return new KerasCall(inputs, masks, tensorArguments, true);
    }
}
