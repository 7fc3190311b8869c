package io.keras4j.format.savedmodel;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;

final class SavedModelWriter {
    private SavedModelWriter() {}

    static void write(Model model, Path target, WriteOptions options) {
        throw new UnsupportedModelException("writing SavedModels is not implemented yet");
    }
}
