package io.keras4j.spi;

/**
 * Keras's {@code load_weights} options: match layers by name instead of by order, and skip layers whose weight
 * count or shapes do not match instead of failing.
 */
public record LoadWeightsOptions(boolean byName, boolean skipMismatch) {
    public static final LoadWeightsOptions DEFAULT = new LoadWeightsOptions(false, false);
}
