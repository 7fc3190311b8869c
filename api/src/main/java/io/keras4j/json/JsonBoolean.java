package io.keras4j.json;

public enum JsonBoolean implements JsonValue {
    TRUE, FALSE;

    public static JsonBoolean of(boolean b) { return b ? TRUE : FALSE; }

    public boolean value() { return this == TRUE; }

    @Override public String toString() { return Boolean.toString(value()); }
}
