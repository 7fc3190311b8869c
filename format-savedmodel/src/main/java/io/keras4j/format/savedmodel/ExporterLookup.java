package io.keras4j.format.savedmodel;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The codec's write side: hands the model to the {@link SavedModelExporter} on the class or module path (keras4j-export-tf),
 * so that reading SavedModels needs neither the TensorFlow graph compiler nor the runtime it infers shapes with.
 */
final class ExporterLookup {
    static final String KERAS_OBJECTS = SavedModelExporter.KERAS_OBJECTS;

    private ExporterLookup() {}

    static void write(Model model, Path target, WriteOptions options) { write(model, target, options, exporters()); }

    /** With the exporters given: none means writing is refused, naming the module that adds it. */
    static void write(Model model, Path target, WriteOptions options, List<SavedModelExporter> exporters) {
        if (exporters.isEmpty()) {
            throw new UnsupportedModelException("cannot write model '" + model.name() + "' to " + target + ": writing a "
                    + "SavedModel needs keras4j-export-tf on the class path (io.keras4j:keras4j-export-tf, module "
                    + "io.keras4j.export.tf); this module only reads SavedModels", SavedModelCodec.NAME, target, null, null);
        }
        exporters.get(0).write(model, target, options);
    }

    /** The exporters {@link ServiceLoader} finds for the thread's class loader, else for this module's. */
    private static List<SavedModelExporter> exporters() {
        List<SavedModelExporter> found = new ArrayList<>();
        ServiceLoader.load(SavedModelExporter.class).forEach(found::add);
        if (found.isEmpty()) ServiceLoader.load(SavedModelExporter.class, ExporterLookup.class.getClassLoader()).forEach(found::add);
        return found;
    }
}
