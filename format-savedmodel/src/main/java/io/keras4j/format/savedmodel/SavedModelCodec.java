package io.keras4j.format.savedmodel;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.spi.WriteProperty;
import java.nio.file.Path;

/**
 * TensorFlow SavedModel directories. Reads tf.keras SavedModels back into Keras models (from
 * {@code keras_metadata.pb}, or the per-object metadata TF 2.4 and older kept in {@code saved_model.pb}) and reports
 * the signatures and variables of any other SavedModel (Keras 3 {@code export()}); writes serving SavedModels that
 * TensorFlow loads with {@code tf.saved_model.load}. A target named without a suffix is a directory, hence {@code ""}.
 */
public final class SavedModelCodec implements Codec {
    static final String NAME = "savedmodel";

    private static final CodecInfo INFO = CodecInfo.builder(NAME, SavedModelCodec.class)
            .description("TensorFlow SavedModel directory (saved_model.pb + variables/)")
            .reads(Feature.ARCHITECTURE, Feature.WEIGHTS, Feature.TRAINING_CONFIG)
            .writes(Feature.ARCHITECTURE, Feature.WEIGHTS)
            .inputKinds(InputKind.DIRECTORY)
            .targetSuffixes("", ".savedmodel")
            .writeProperties(new WriteProperty(ExporterLookup.KERAS_OBJECTS, "auto, true or false",
                    "false: serving only, as export(); true: tf.keras objects; default auto"))
            .build();

    @Override public CodecInfo info() { return INFO; }

    /** SOLID on {@code saved_model.pb} (or the unsupported text form), FULL when {@code variables/} is there too. */
    @Override
    public MatchStrength probe(ProbeInput input) {
        if (!input.isDirectory()) return MatchStrength.NO_MATCH;
        if (input.child(SavedModelDir.SAVED_MODEL_PB).isEmpty()) {
            return input.child(SavedModelDir.SAVED_MODEL_PBTXT).isPresent() ? MatchStrength.SOLID : MatchStrength.NO_MATCH;
        }
        boolean variables = input.child(SavedModelDir.VARIABLES).flatMap(v -> v.child("variables.index")).isPresent();
        return variables ? MatchStrength.FULL : MatchStrength.SOLID;
    }

    @Override
    public KerasFile read(Path source, ReadOptions options) { return SavedModelReader.read(source, options); }

    @Override
    public void write(Model model, Path target, WriteOptions options) { ExporterLookup.write(model, target, options); }
}
