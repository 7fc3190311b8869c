package io.keras4j.spi;

import io.keras4j.model.Dialect;
import java.util.Map;
import java.util.Optional;

/**
 * Options for writing. {@code dialect} chooses the Keras generation whose conventions the output follows
 * (Keras 3 by default); {@code weightsOnly} writes only weights where the format allows both.
 * {@code allowSemanticChange} lets a writer convert a layer whose meaning the target generation changes (tf.keras's
 * {@code hard_sigmoid} is not Keras 3's), so that real Keras predicts differently from the source; without it such a
 * conversion is refused with the layer and the reason.
 */
public record WriteOptions(Dialect dialect, boolean weightsOnly, boolean includeOptimizer, Map<String, String> properties,
                           boolean allowSemanticChange) {
    public static final WriteOptions DEFAULT = new WriteOptions(Dialect.KERAS3, false, true, Map.of(), false);

    public WriteOptions { properties = Map.copyOf(properties); }

    /** Options that refuse a change of meaning (the safe default). */
    public WriteOptions(Dialect dialect, boolean weightsOnly, boolean includeOptimizer, Map<String, String> properties) {
        this(dialect, weightsOnly, includeOptimizer, properties, false);
    }

    public WriteOptions withDialect(Dialect d) { return new WriteOptions(d, weightsOnly, includeOptimizer, properties, allowSemanticChange); }

    public WriteOptions withWeightsOnly(boolean w) { return new WriteOptions(dialect, w, includeOptimizer, properties, allowSemanticChange); }

    public WriteOptions withIncludeOptimizer(boolean o) { return new WriteOptions(dialect, weightsOnly, o, properties, allowSemanticChange); }

    public WriteOptions withAllowSemanticChange(boolean allow) {
        return new WriteOptions(dialect, weightsOnly, includeOptimizer, properties, allow);
    }

    public WriteOptions withProperty(String key, String value) {
        var copy = new java.util.HashMap<>(properties);
        copy.put(key, value);
        return new WriteOptions(dialect, weightsOnly, includeOptimizer, copy, allowSemanticChange);
    }

    public Optional<String> property(String key) { return Optional.ofNullable(properties.get(key)); }
}
