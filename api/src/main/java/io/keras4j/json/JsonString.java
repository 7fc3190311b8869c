package io.keras4j.json;

import java.util.Objects;

public record JsonString(String value) implements JsonValue {
    public JsonString { Objects.requireNonNull(value, "value"); }

    @Override public String toString() { return toJson(); }
}
