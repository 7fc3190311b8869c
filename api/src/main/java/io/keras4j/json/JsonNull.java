package io.keras4j.json;

public enum JsonNull implements JsonValue {
    INSTANCE;

    @Override public String toString() { return "null"; }
}
