package io.keras4j.spi;

import io.keras4j.model.Dialect;
import java.util.Map;
import java.util.Optional;

/**
 * Options for writing. {@code dialect} chooses the Keras generation whose conventions the output follows
 * (Keras 3 by default); {@code weightsOnly} writes only weights where the format allows both.
 */
public record WriteOptions(Dialect dialect, boolean weightsOnly, boolean includeOptimizer, Map<String, String> properties) {
    public static final WriteOptions DEFAULT = new WriteOptions(Dialect.KERAS3, false, true, Map.of());

    public WriteOptions { properties = Map.copyOf(properties); }

    public WriteOptions withDialect(Dialect d) { return new WriteOptions(d, weightsOnly, includeOptimizer, properties); }

    public WriteOptions withWeightsOnly(boolean w) { return new WriteOptions(dialect, w, includeOptimizer, properties); }

    public WriteOptions withIncludeOptimizer(boolean o) { return new WriteOptions(dialect, weightsOnly, o, properties); }

    public WriteOptions withProperty(String key, String value) {
        var copy = new java.util.HashMap<>(properties);
        copy.put(key, value);
        return new WriteOptions(dialect, weightsOnly, includeOptimizer, copy);
    }

    public Optional<String> property(String key) { return Optional.ofNullable(properties.get(key)); }
}
