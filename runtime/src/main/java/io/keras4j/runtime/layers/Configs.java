package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.runtime.spi.LayerSpec;

/** Typed reads of Keras 3 layer configs, with errors that name the layer and the key. */
final class Configs {
    private Configs() {}

    /** An int tuple such as {@code kernel_size}: a bare int is repeated {@code n} times (Keras's normalize_tuple). */
    static int[] tuple(LayerSpec spec, String key, int n, int fallback) {
        JsonValue v = spec.config().get(key);
        int[] out = new int[n];
        if (v.isNull()) {
            java.util.Arrays.fill(out, fallback);
        } else if (v.isNumber()) {
            java.util.Arrays.fill(out, ((JsonNumber) v).intValue());
        } else if (v.isArray() && v.asArray().size() == n) {
            for (int i = 0; i < n; i++) out[i] = number(spec, key, v.asArray().get(i)).intValue();
        } else {
            throw bad(spec, key, "expected an int or " + n + " ints, got " + v.toJson());
        }
        return out;
    }

    static int integer(LayerSpec spec, String key, int fallback) {
        JsonValue v = spec.config().get(key);
        return v.isNull() ? fallback : number(spec, key, v).intValue();
    }

    static int requiredInt(LayerSpec spec, String key) {
        JsonValue v = spec.config().get(key);
        if (v.isNull()) throw bad(spec, key, "missing");
        return number(spec, key, v).intValue();
    }

    static double real(LayerSpec spec, String key, double fallback) {
        JsonValue v = spec.config().get(key);
        return v.isNull() ? fallback : number(spec, key, v).doubleValue();
    }

    /** A nullable number ({@code max_value: null}). */
    static Double optionalReal(LayerSpec spec, String key) {
        JsonValue v = spec.config().get(key);
        return v.isNull() ? null : number(spec, key, v).doubleValue();
    }

    static boolean flag(LayerSpec spec, String key, boolean fallback) { return spec.config().getBoolean(key, fallback); }

    static String string(LayerSpec spec, String key, String fallback) { return spec.config().getString(key, fallback); }

    /** {@code padding}, one of {@code allowed}: checked when the op is made, not deep in the first prediction. */
    static String padding(LayerSpec spec, String... allowed) {
        String padding = string(spec, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        if (!java.util.List.of(allowed).contains(padding)) {
            throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + "): padding '"
                    + padding + "' is none of " + String.join(", ", allowed));
        }
        return padding;
    }

    static boolean channelsFirst(LayerSpec spec) {
        return "channels_first".equals(spec.config().getString("data_format", "channels_last"));
    }

    /** An axis or list of axes ({@code axis: -1} or {@code axis: [1, 2]}). */
    static int[] axes(LayerSpec spec, String key, int fallback) {
        JsonValue v = spec.config().get(key);
        if (v.isNull()) return new int[] {fallback};
        if (v.isNumber()) return new int[] {((JsonNumber) v).intValue()};
        JsonArray a = v.asArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(spec, key, a.get(i)).intValue();
        return out;
    }

    /** A nested layer entry such as Bidirectional's {@code layer}. */
    static JsonObject object(LayerSpec spec, String key) {
        JsonValue v = spec.config().get(key);
        if (!v.isObject()) throw bad(spec, key, "expected a layer object, got " + v.toJson());
        return v.asObject();
    }

    static UnsupportedModelException bad(LayerSpec spec, String key, String why) {
        return new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + "): config '" + key
                + "' " + why);
    }

    static UnsupportedModelException unsupported(LayerSpec spec, String what) {
        return new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + "): " + what
                + " is not supported by the keras4j runtime yet");
    }

    private static JsonNumber number(LayerSpec spec, String key, JsonValue v) {
        if (v instanceof JsonNumber n) return n;
        throw bad(spec, key, "expected a number, got " + v.toJson());
    }
}
