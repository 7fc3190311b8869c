package io.keras4j.json;

import java.util.Map;

/** Compact JSON output for {@link JsonValue#toJson()}; format modules use a full JSON library instead. */
final class JsonWriter {
    private JsonWriter() {}

    static void write(JsonValue value, StringBuilder out) {
        if (value instanceof JsonNull) {
            out.append("null");
        } else if (value instanceof JsonBoolean b) {
            out.append(b.value());
        } else if (value instanceof JsonNumber n) {
            writeNumber(n, out);
        } else if (value instanceof JsonString s) {
            quote(s.value(), out);
        } else if (value instanceof JsonArray a) {
            out.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) out.append(", ");
                write(a.get(i), out);
            }
            out.append(']');
        } else {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonValue> e : ((JsonObject) value).members().entrySet()) {
                if (!first) out.append(", ");
                first = false;
                quote(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out);
            }
            out.append('}');
        }
    }

    private static void writeNumber(JsonNumber n, StringBuilder out) {
        if (n.isIntegral()) { out.append(n.value()); return; }
        double d = n.doubleValue();
        // Python's json writes NaN/Infinity bare; keep that so Keras reads them back.
        if (Double.isNaN(d)) out.append("NaN");
        else if (Double.isInfinite(d)) out.append(d > 0 ? "Infinity" : "-Infinity");
        else out.append(n.value());
    }

    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
