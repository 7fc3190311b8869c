package io.keras4j.json;

/**
 * An immutable JSON tree. Keras configs are kept in this form so that unknown keys, custom layers and Lambda
 * configs survive a round trip untouched; the api module stays free of any JSON library.
 */
public sealed interface JsonValue permits JsonNull, JsonBoolean, JsonNumber, JsonString, JsonArray, JsonObject {

    /** Compact JSON text. */
    default String toJson() {
        StringBuilder out = new StringBuilder();
        JsonWriter.write(this, out);
        return out.toString();
    }

    default boolean isNull() { return this instanceof JsonNull; }

    default boolean isObject() { return this instanceof JsonObject; }

    default boolean isArray() { return this instanceof JsonArray; }

    default boolean isString() { return this instanceof JsonString; }

    default boolean isNumber() { return this instanceof JsonNumber; }

    /** This value as an object, or an empty object when it is anything else. */
    default JsonObject asObject() { return this instanceof JsonObject o ? o : JsonObject.EMPTY; }

    /** This value as an array, or an empty array when it is anything else. */
    default JsonArray asArray() { return this instanceof JsonArray a ? a : JsonArray.EMPTY; }

    /** The string value, or {@code null} when this is not a string. */
    default String asText() { return this instanceof JsonString s ? s.value() : null; }

    static JsonValue of(Object value) {
        if (value == null) return JsonNull.INSTANCE;
        if (value instanceof JsonValue v) return v;
        if (value instanceof String s) return new JsonString(s);
        if (value instanceof Boolean b) return JsonBoolean.of(b);
        if (value instanceof Number n) return new JsonNumber(n);
        if (value instanceof long[] longs) {
            JsonArray.Builder b = JsonArray.builder();
            for (long l : longs) b.add(new JsonNumber(l));
            return b.build();
        }
        if (value instanceof Iterable<?> it) {
            JsonArray.Builder b = JsonArray.builder();
            for (Object o : it) b.add(of(o));
            return b.build();
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
}
