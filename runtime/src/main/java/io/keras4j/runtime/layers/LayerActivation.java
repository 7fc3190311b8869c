package io.keras4j.runtime.layers;

import io.keras4j.json.JsonValue;
import io.keras4j.runtime.spi.LayerSpec;

/** Reads a layer's {@code activation}: a name, or a serialized function object, as Keras 3 may write it. */
final class LayerActivation {
    private LayerActivation() {}

    static String name(LayerSpec spec) { return name(spec, "activation"); }

    static String name(LayerSpec spec, String key) {
        JsonValue v = spec.config().get(key);
        if (v.isString()) return v.asText();
        if (v.isObject()) {
            return v.asObject().getObject("config").optString("name")
                    .orElseGet(() -> v.asObject().getString("class_name", null));
        }
        return null;
    }
}
