package io.keras4j.runtime.spi;

import java.util.Optional;

/**
 * Supplies the Java implementation of layers keras4j does not know: custom classes (matched by class name or
 * Keras 3 {@code registered_name}, e.g. {@code my_package>Scale}) and {@code Lambda} layers (matched by layer name;
 * keras4j never runs the Python bytecode a Lambda config carries).
 *
 * <p>Register an implementation in {@code META-INF/services/io.keras4j.runtime.spi.LayerProvider} (or
 * {@code provides} in module-info), or pass it to {@code RuntimeOptions.builder().provider(...)}. Explicitly passed
 * providers are asked first, then discovered ones, then keras4j's built-in layers.
 */
public interface LayerProvider {

    /** The op for this layer, or empty when this provider does not implement it. */
    Optional<LayerOp> create(LayerSpec spec);
}
