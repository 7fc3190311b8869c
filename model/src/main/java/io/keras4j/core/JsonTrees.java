package io.keras4j.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.keras4j.CorruptModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonBoolean;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams JSON text to and from the api's {@link JsonValue} tree with Jackson's streaming API. Reading accepts what
 * Python's {@code json} writes ({@code NaN}, {@code Infinity}). The same streaming works for any Jackson syntax: the
 * YAML codec passes its own factory to {@link #parse(JsonFactory, String, String, Path, String)}, so only it needs
 * a YAML library.
 */
public final class JsonTrees {
    private static final int MAX_DEPTH = 512;
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private JsonTrees() {}

    public static JsonValue parseJson(String text, Path source, String codec) { return parse(JSON, "JSON", text, source, codec); }

    /** Parses {@code text} of the syntax {@code factory} reads ({@code syntax} names it in errors). */
    public static JsonValue parse(JsonFactory factory, String syntax, String text, Path source, String codec) {
        try (JsonParser p = factory.createParser(text)) {
            if (p.nextToken() == null) {
                throw CorruptModelException.in(source).codec(codec).offset(0).because("the document is empty");
            }
            JsonValue v = read(p, 0, source, codec);
            if (p.nextToken() != null) {
                throw CorruptModelException.in(source).codec(codec).offset(p.currentLocation().getCharOffset())
                        .because("unexpected content after the document");
            }
            return v;
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            String where = e.getLocation() == null ? null : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw CorruptModelException.in(source).codec(codec).at(where).offset(offset).cause(e)
                    .because("malformed " + syntax + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonValue read(JsonParser p, int depth, Path source, String codec) throws IOException {
        if (depth > MAX_DEPTH) {
            throw CorruptModelException.in(source).codec(codec).offset(p.currentLocation().getCharOffset())
                    .because("nesting deeper than " + MAX_DEPTH);
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    members.put(key, read(p, depth + 1, source, codec));
                }
                return JsonObject.of(members);
            }
            case START_ARRAY: {
                JsonArray.Builder b = JsonArray.builder();
                while (p.nextToken() != JsonToken.END_ARRAY) b.add(read(p, depth + 1, source, codec));
                return b.build();
            }
            case VALUE_STRING: return new JsonString(p.getText());
            case VALUE_NUMBER_INT: return new JsonNumber(p.getNumberValue());
            case VALUE_NUMBER_FLOAT: return new JsonNumber(p.getDoubleValue());
            case VALUE_TRUE: return JsonBoolean.TRUE;
            case VALUE_FALSE: return JsonBoolean.FALSE;
            case VALUE_NULL: return JsonNull.INSTANCE;
            default:
                throw CorruptModelException.in(source).codec(codec).offset(p.currentLocation().getCharOffset())
                        .because("unexpected token " + t);
        }
    }

    /** JSON text; {@code pretty} indents like Python's {@code json.dumps(indent=2)}. */
    public static String toJson(JsonValue value, boolean pretty) { return write(JSON, value, pretty); }

    /** Text of the syntax {@code factory} writes. */
    public static String write(JsonFactory factory, JsonValue value, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = factory.createGenerator(out)) {
            if (pretty) g.setPrettyPrinter(new DefaultPrettyPrinter());
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonValue v) throws IOException {
        if (v instanceof JsonObject o) {
            g.writeStartObject();
            for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof JsonArray a) {
            g.writeStartArray();
            for (JsonValue item : a) write(g, item);
            g.writeEndArray();
        } else if (v instanceof JsonString s) {
            g.writeString(s.value());
        } else if (v instanceof JsonNumber n) {
            Number num = n.value();
            if (num instanceof Long l) g.writeNumber(l);
            else if (num instanceof java.math.BigInteger bi) g.writeNumber(bi);
            else if (num instanceof java.math.BigDecimal bd) g.writeNumber(bd);
            else g.writeNumber(num.doubleValue());
        } else if (v instanceof JsonBoolean b) {
            g.writeBoolean(b.value());
        } else {
            g.writeNull();
        }
    }
}
