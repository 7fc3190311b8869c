package io.keras4j.runtime.layers;

import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.runtime.spi.LayerSpec;

/** Whether Keras filled a layer's {@code mask} call argument from its input's mask, as the call's node records it. */
final class MaskArgument {
    private MaskArgument() {}

    /**
     * Keras 3's {@code Layer.__call__} fills {@code mask} only for a call with exactly one tensor argument,
     * positional or keyword: an RNN called with {@code initial_state} sees no mask. tf.keras passes the first input's
     * mask whenever there is one, and a mask the node records itself reaches the layer whatever the dialect.
     */
    static boolean filled(LayerSpec spec, InboundNode node) {
        if (spec.sourceDialect() != Dialect.KERAS3) return true;
        JsonValue raw = node.rawNode().orElse(null);
        if (raw == null || !raw.asObject().has("args")) return true;
        var kwargs = raw.asObject().getObject("kwargs").members();
        if (kwargs.containsKey("mask")) return true;
        int tensorArguments = 0;
        for (JsonValue arg : raw.asObject().getArray("args")) if (holdsTensor(arg)) tensorArguments++;
        for (JsonValue value : kwargs.values()) if (holdsTensor(value)) tensorArguments++;
        return tensorArguments <= 1;
    }

    private static boolean holdsTensor(JsonValue v) {
        if (v.isArray()) {
            for (JsonValue item : v.asArray()) if (holdsTensor(item)) return true;
            return false;
        }
        return "__keras_tensor__".equals(v.asObject().getString("class_name", null));
    }
}
