package io.keras4j.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An immutable JSON object that keeps key order. Mutators return changed copies. */
public final class JsonObject implements JsonValue {
    public static final JsonObject EMPTY = new JsonObject(new LinkedHashMap<>());

    private final Map<String, JsonValue> members;

    private JsonObject(LinkedHashMap<String, JsonValue> owned) { this.members = Collections.unmodifiableMap(owned); }

    public static JsonObject of(Map<String, ? extends JsonValue> members) { return new JsonObject(new LinkedHashMap<>(members)); }

    public Map<String, JsonValue> members() { return members; }

    public Set<String> keys() { return members.keySet(); }

    public int size() { return members.size(); }

    public boolean has(String key) { return members.containsKey(key); }

    /** The member, or {@link JsonNull#INSTANCE} when absent. */
    public JsonValue get(String key) { return members.getOrDefault(key, JsonNull.INSTANCE); }

    public Optional<JsonValue> opt(String key) {
        JsonValue v = members.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    public String getString(String key, String fallback) {
        JsonValue v = members.get(key);
        return v instanceof JsonString s ? s.value() : fallback;
    }

    public Optional<String> optString(String key) { return Optional.ofNullable(getString(key, null)); }

    public long getLong(String key, long fallback) {
        JsonValue v = members.get(key);
        return v instanceof JsonNumber n ? n.longValue() : fallback;
    }

    public int getInt(String key, int fallback) { return (int) getLong(key, fallback); }

    public double getDouble(String key, double fallback) {
        JsonValue v = members.get(key);
        return v instanceof JsonNumber n ? n.doubleValue() : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        JsonValue v = members.get(key);
        return v instanceof JsonBoolean b ? b.value() : fallback;
    }

    public JsonObject getObject(String key) { return get(key).asObject(); }

    public JsonArray getArray(String key) { return get(key).asArray(); }

    public JsonObject with(String key, Object value) {
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(members);
        copy.put(key, JsonValue.of(value));
        return new JsonObject(copy);
    }

    public JsonObject without(String... keys) {
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(members);
        for (String k : keys) copy.remove(k);
        return new JsonObject(copy);
    }

    /** Renames a key in place (keeping its position); no-op when absent. */
    public JsonObject renamed(String from, String to) {
        if (!members.containsKey(from)) return this;
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>();
        members.forEach((k, v) -> copy.put(k.equals(from) ? to : k, v));
        return new JsonObject(copy);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() { Builder b = new Builder(); b.members.putAll(members); return b; }

    @Override public boolean equals(Object o) { return o instanceof JsonObject other && members.equals(other.members); }

    @Override public int hashCode() { return members.hashCode(); }

    @Override public String toString() { return toJson(); }

    public static final class Builder {
        private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

        public Builder put(String key, Object value) { members.put(key, JsonValue.of(value)); return this; }

        public Builder remove(String key) { members.remove(key); return this; }

        public JsonObject build() { return new JsonObject(new LinkedHashMap<>(members)); }
    }
}
