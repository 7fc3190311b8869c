package io.keras4j.format.json;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The constructor arguments Keras 3's built-in layers accept, dumped from real Keras by
 * {@code oracle/dump_layer_args.py}. Keras 3 rejects unknown keyword arguments, so keys that only older Keras
 * knew ({@code input_length}, {@code implementation}, …) must be dropped when converting a config to Keras 3.
 */
final class Keras3LayerArgs {
    private static final String RESOURCE = "keras3-layer-args.json";
    private static volatile JsonObject table;

    private Keras3LayerArgs() {}

    /** Arguments a layer of this class accepts, or empty when the class is not a Keras 3 built-in. */
    static Optional<Set<String>> accepted(String className) {
        JsonObject t = table();
        JsonValue own = t.getObject("layers").get(className);
        if (!own.isArray()) return Optional.empty();
        Set<String> out = new HashSet<>();
        own.asArray().forEach(v -> out.add(v.asText()));
        t.getArray("base").forEach(v -> out.add(v.asText()));
        return Optional.of(out);
    }

    private static JsonObject table() {
        JsonObject t = table;
        if (t == null) {
            try (InputStream in = Keras3LayerArgs.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                t = JsonTrees.parseJson(text, Path.of(RESOURCE), "json").asObject();
                table = t;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return t;
    }
}
