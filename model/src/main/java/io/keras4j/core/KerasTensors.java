package io.keras4j.core;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonValue;
import io.keras4j.model.TensorRef;
import java.util.List;

/**
 * The tensor references inside a layer call's recorded arguments: Keras 3's {@code __keras_tensor__} objects
 * ({@code keras_history} = layer, node, tensor) and Keras 2's {@code [layer, node, tensor]} triples that keyword
 * arguments such as MultiHeadAttention's {@code value} keep. For code that reads inbound nodes (runtime, writers).
 */
public final class KerasTensors {
    private KerasTensors() {}

    /** The tensor a Keras 3 {@code __keras_tensor__} object refers to, or {@code null} for any other value. */
    public static TensorRef ref(JsonValue v) {
        if (!v.isObject()) return null;
        JsonObject o = v.asObject();
        if (!"__keras_tensor__".equals(o.getString("class_name", null))) return null;
        var history = o.getObject("config").getArray("keras_history");
        long[] idx = history.toLongs();
        return new TensorRef(history.get(0).asText(), (int) idx[1], (int) idx[2]);
    }

    /** Every Keras 3 tensor reference in {@code v} (nested lists and dicts included), in order. */
    public static void collect(JsonValue v, List<TensorRef> out) {
        TensorRef t = ref(v);
        if (t != null) {
            out.add(t);
        } else if (v.isArray()) {
            for (JsonValue m : v.asArray()) collect(m, out);
        } else if (v.isObject()) {
            for (JsonValue m : v.asObject().members().values()) collect(m, out);
        }
    }

    /** A Keras 2 keyword tensor {@code [layer, node, tensor]}, or {@code null} for any other value. */
    public static TensorRef legacyRef(JsonValue v) {
        if (!v.isArray()) return null;
        var a = v.asArray();
        if (a.size() != 3 || !a.get(0).isString() || !a.get(1).isNumber() || !a.get(2).isNumber()) return null;
        long[] idx = a.toLongs();
        return new TensorRef(a.get(0).asText(), (int) idx[1], (int) idx[2]);
    }

    /** A tensor reference as tf.keras writes it, {@code [layer, node, tensor]}. */
    static JsonArray refArray(TensorRef r) {
        return JsonArray.builder().add(r.layer()).add(r.node()).add(r.tensor()).build();
    }

    /** A shape as Keras writes it, {@code null} for unknown sizes. */
    static JsonArray shape(long[] dims) {
        JsonArray.Builder b = JsonArray.builder();
        for (long d : dims) b.add(d < 0 ? JsonNull.INSTANCE : (Object) d);
        return b.build();
    }
}
