package io.keras4j.export.tf;

import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;

/** The savedmodel codec's writer: found through {@link java.util.ServiceLoader}, it compiles the model with {@link SavedModelWriter}. */
public final class TfSavedModelExporter implements SavedModelExporter {
    @Override
    public void write(Model model, Path target, WriteOptions options) { SavedModelWriter.write(model, target, options); }
}
