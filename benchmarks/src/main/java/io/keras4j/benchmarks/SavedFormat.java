package io.keras4j.benchmarks;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import java.nio.file.Path;

/**
 * The files {@code make_models.py} writes per model, and how keras4j loads each: the names match the keys of
 * {@code keras_load_timings.json}, where Keras loads the same files.
 */
enum SavedFormat {
    KERAS("keras", "model.keras", null),
    H5("h5", "model.h5", null),
    WEIGHTS_H5("weights-h5", "model.weights.h5", "model.json"),
    H5_K2("h5-k2", "k2/model.h5", null),
    CHECKPOINT_K2("checkpoint-k2", "k2/ckpt/ckpt", "k2/model.json"),
    SAVEDMODEL_K2("savedmodel-k2", "k2/savedmodel", null);

    private final String key;
    private final String file;
    private final String architecture;

    SavedFormat(String key, String file, String architecture) {
        this.key = key;
        this.file = file;
        this.architecture = architecture;
    }

    String key() { return key; }

    static SavedFormat of(String key) {
        for (SavedFormat f : values()) if (f.key.equals(key)) return f;
        throw new IllegalArgumentException("unknown format " + key);
    }

    /** Loads the model of {@code modelDir} from this format's file(s). */
    Model load(Keras4j keras4j, Path modelDir) {
        Path source = modelDir.resolve(file);
        if (architecture == null) return keras4j.load(source);
        return keras4j.loadWeights(keras4j.load(modelDir.resolve(architecture)), source, LoadWeightsOptions.DEFAULT);
    }
}
