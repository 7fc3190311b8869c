package io.keras4j.export.tf.spi;

import io.keras4j.model.Layer;
import java.util.Optional;

/**
 * Supplies the TensorFlow ops of layers keras4j cannot translate into a SavedModel itself: custom layer classes
 * (matched by class name, or by the Keras 3 {@code registered_name} in {@code layer.entry()}, e.g.
 * {@code my_package>Scale}) and {@code Lambda} layers (matched by layer name: keras4j never runs the Python code a
 * Lambda carries). Providers are asked before keras4j's own translations.
 *
 * <p>Register an implementation in {@code META-INF/services/io.keras4j.export.tf.spi.GraphLayerProvider}
 * (or {@code provides} in module-info). Writing also infers the model's shapes, which for such a layer needs its
 * runtime implementation too ({@code io.keras4j.runtime.spi.LayerProvider}).
 */
public interface GraphLayerProvider {

    /** The graph of this layer, or empty when this provider does not know it. */
    Optional<GraphLayer> create(Layer layer);
}
