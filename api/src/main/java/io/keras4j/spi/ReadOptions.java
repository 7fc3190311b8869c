package io.keras4j.spi;

import java.util.Map;
import java.util.Optional;

/**
 * Options for reading. {@code withWeights=false} lets a codec skip weight data (architecture and shapes only);
 * {@code properties} carries codec-specific settings by name ({@code codecName.key}).
 */
public record ReadOptions(boolean withWeights, Map<String, String> properties) {
    public static final ReadOptions DEFAULT = new ReadOptions(true, Map.of());

    public ReadOptions { properties = Map.copyOf(properties); }

    public ReadOptions withWeights(boolean w) { return new ReadOptions(w, properties); }

    public Optional<String> property(String key) { return Optional.ofNullable(properties.get(key)); }
}
