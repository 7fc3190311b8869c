package io.keras4j.core;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The constructor arguments the built-in layers and initializers of Keras 3 and of tf_keras accept, dumped from
 * real Keras by {@code oracle/dump_layer_args.py}. Both refuse unknown keyword arguments, so a config converted
 * to the other dialect must drop the keys only its source knew ({@code input_length}, {@code quantization_config}, …).
 */
final class LayerArgs {
    private static final Logger LOG = LoggerFactory.getLogger(LayerArgs.class);
    static final LayerArgs KERAS3 = new LayerArgs("keras3-layer-args.json");
    static final LayerArgs KERAS2 = new LayerArgs("keras2-layer-args.json");

    private final String resource;
    private volatile JsonObject table;

    private LayerArgs(String resource) { this.resource = resource; }

    static LayerArgs of(Dialect target) { return target == Dialect.KERAS3 ? KERAS3 : KERAS2; }

    /** The layer config without keys its class does not accept (unknown classes are left alone); {@code keep} survive. */
    JsonObject forLayer(String className, JsonObject config, String... keep) {
        return drop("layers", className, config, true, keep);
    }

    /** The module Keras 3 writes for one of its operation classes ({@code NotEqual}: {@code keras.src.ops.numpy}). */
    Optional<String> operationModule(String className) {
        JsonValue ops = table().get("operations");
        return ops.isObject() ? ops.asObject().optString(className) : Optional.empty();
    }

    /** Whether the target Keras's layer class {@code className} takes the constructor argument {@code arg}. */
    boolean takesLayerArg(String className, String arg) {
        JsonValue own = table().getObject("layers").get(className);
        return own.isArray() && own.asArray().values().stream().anyMatch(v -> arg.equals(v.asText()));
    }

    /** Whether the target Keras has a built-in layer class of this name. */
    boolean knowsLayer(String className) { return table().getObject("layers").has(className); }

    /** The constructor arguments of optimizer {@code className} in the dumped Keras, empty when it has no such class. */
    java.util.Optional<java.util.Set<String>> optimizerArgs(String className) {
        JsonValue args = table().getObject("optimizers").get(className);
        if (!args.isArray()) return java.util.Optional.empty();
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (JsonValue v : args.asArray()) out.add(v.asText());
        return java.util.Optional.of(out);
    }

    /** The layer classes the dumped Keras constructs. */
    java.util.Set<String> layerClasses() { return table().getObject("layers").members().keySet(); }

    /** An initializer's {@code config} without keys the initializer class does not accept. */
    JsonObject forInitializer(String className, JsonObject config) {
        return drop("initializers", className, config, false);
    }

    private JsonObject drop(String kind, String className, JsonObject config, boolean withBase, String... keep) {
        JsonValue own = table().getObject(kind).get(className);
        if (!own.isArray()) return config;
        Set<String> accepted = new HashSet<>(List.of(keep));
        own.asArray().forEach(v -> accepted.add(v.asText()));
        // A class whose constructor takes no **kwargs refuses the base Layer's arguments too (Keras 3 SpatialDropout2D
        // and trainable): its own list is then all it accepts.
        boolean closed = table().get("closed_layers").isArray()
                && table().getArray("closed_layers").values().stream().anyMatch(v -> className.equals(v.asText()));
        if (withBase && !closed) table().getArray("base").forEach(v -> accepted.add(v.asText()));
        List<String> dropped = config.keys().stream().filter(k -> !accepted.contains(k)).toList();
        if (dropped.isEmpty()) return config;
        LOG.info("{} '{}': dropping {}, which the target Keras does not accept", className, config.getString("name", "?"), dropped);
        return config.without(dropped.toArray(String[]::new));
    }

    private JsonObject table() {
        JsonObject t = table;
        if (t == null) {
            try (InputStream in = LayerArgs.class.getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("missing resource " + resource);
                t = JsonTrees.parseJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of(resource), "json").asObject();
                table = t;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return t;
    }

    Optional<String> kerasVersion() { return table().optString("keras_version"); }
}
