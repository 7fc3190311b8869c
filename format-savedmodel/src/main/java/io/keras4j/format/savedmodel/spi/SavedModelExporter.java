package io.keras4j.format.savedmodel.spi;

import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;

/**
 * Writes a Keras model as a SavedModel directory. The savedmodel codec reads SavedModels itself but writes them
 * through the first implementation {@link java.util.ServiceLoader} finds: compiling a model into a TensorFlow graph
 * needs the runtime's shape inference, which a reader should not carry. keras4j-export-tf
 * ({@code io.keras4j.export.tf}) provides it.
 */
public interface SavedModelExporter {
    /** The codec's name, which an exporter's errors and write properties carry. */
    String CODEC = "savedmodel";
    /**
     * Write property: {@code false} writes a serving-only SavedModel, as Keras 3's {@code model.export()} does (no
     * Keras objects, no {@code keras_metadata.pb}); {@code true} requires the tf.keras structure (an
     * UnsupportedModelException when the model has none); default {@code auto}: the structure when possible.
     */
    String KERAS_OBJECTS = CODEC + ".kerasObjects";

    /** Writes {@code model} to the directory {@code target}, replacing it only as {@code DirectoryWrite} allows. */
    void write(Model model, Path target, WriteOptions options);
}
