package io.keras4j.json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

public record JsonArray(List<JsonValue> values) implements JsonValue, Iterable<JsonValue> {
    public static final JsonArray EMPTY = new JsonArray(List.of());

    public JsonArray { values = List.copyOf(values); }

    public static JsonArray of(JsonValue... values) { return new JsonArray(List.of(values)); }

    public int size() { return values.size(); }

    public boolean isEmpty() { return values.isEmpty(); }

    public JsonValue get(int i) { return values.get(i); }

    @Override public Iterator<JsonValue> iterator() { return values.iterator(); }

    /** Integers of this array as longs; {@code null} items (unknown dimensions) become -1. */
    public long[] toLongs() {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            JsonValue v = values.get(i);
            out[i] = v instanceof JsonNumber n ? n.longValue() : -1;
        }
        return out;
    }

    public static Builder builder() { return new Builder(); }

    @Override public String toString() { return toJson(); }

    public static final class Builder {
        private final List<JsonValue> values = new ArrayList<>();

        public Builder add(JsonValue v) { values.add(v); return this; }

        public Builder add(Object v) { values.add(JsonValue.of(v)); return this; }

        public JsonArray build() { return new JsonArray(values); }
    }
}
