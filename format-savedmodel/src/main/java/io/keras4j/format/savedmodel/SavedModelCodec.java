package io.keras4j.format.savedmodel;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.WeightBinder;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.spi.WriteProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * The weights of a SavedModel into {@code architecture}: a Keras 3 {@code export()} (or any SavedModel without
     * Keras metadata) stores its variables grouped by their layer's path, prefixed by the model's name
     * ({@code cnn/conv2d/kernel}); those groups are bound as Keras's {@code load_weights} binds a weights file, by
     * order or by name. A tf.keras SavedModel's own model gives its layers' weights the same way.
     */
    @Override
    public Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        KerasFile file = SavedModelReader.read(source, ReadOptions.DEFAULT);
        List<KerasFile.StoredWeights> groups = new ArrayList<>();
        if (file.model().isPresent()) {
            for (Layer l : file.model().get().layers()) {
                if (!l.weights().isEmpty()) groups.add(new KerasFile.StoredWeights(l.name(), l.weights()));
            }
        } else {
            return bindByPath(architecture, file.storedWeights(), architecture.name(), options, source);
        }
        if (groups.isEmpty()) {
            throw new UnsupportedModelException(NAME + ": " + source + " holds no variables to load into model '"
                    + architecture.name() + "'", NAME, source, null, null);
        }
        return WeightBinder.bind(architecture, groups, options, null);
    }

    /**
     * Variables grouped by their owner's path under {@code prefix}: sub-objects (lstm/lstm_cell, mha/query) belong to
     * their top-level layer, in order; a nested model's layers are bound into it first, so that its layers' weight
     * counts are known; Dropout's seed generators are random state, not weights.
     */
    private static Model bindByPath(Model architecture, List<KerasFile.StoredWeights> stored, String prefix,
                                    LoadWeightsOptions options, Path source) {
        List<KerasFile.StoredWeights> groups = new ArrayList<>();
        java.util.Map<String, List<KerasFile.StoredWeights>> nested = new java.util.LinkedHashMap<>();
        for (KerasFile.StoredWeights g : stored) {
                String path = withoutModelPrefix(g.key(), prefix);
                String layer = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
                if (SEED_GENERATOR.matcher(path.substring(path.lastIndexOf('/') + 1)).matches()) continue;
                boolean isNested = architecture.layer(layer).flatMap(Layer::nestedModel).isPresent();
                if (isNested) {
                    nested.computeIfAbsent(layer, k -> new ArrayList<>()).add(new KerasFile.StoredWeights(path, g.weights()));
                }
                KerasFile.StoredWeights last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
                if (last != null && last.key().equals(layer)) {
                    List<io.keras4j.model.Weight> merged = new ArrayList<>(last.weights());
                    merged.addAll(g.weights());
                    groups.set(groups.size() - 1, new KerasFile.StoredWeights(layer, merged));
                } else {
                    groups.add(new KerasFile.StoredWeights(layer, g.weights()));
                }
        }
        if (groups.isEmpty()) {
            throw new UnsupportedModelException(NAME + ": " + source + " holds no variables to load into model '"
                    + architecture.name() + "'", NAME, source, null, null);
        }
        Model withNested = architecture;
        for (var n : nested.entrySet()) {
            Layer outer = withNested.layer(n.getKey()).orElseThrow();
            Model inner = bindByPath(outer.nestedModel().get(), n.getValue(), n.getKey(), options, source);
            List<Layer> layers = new ArrayList<>();
            for (Layer l : withNested.layers()) layers.add(l == outer ? l.toBuilder().nestedModel(inner).build() : l);
            withNested = withNested.withLayers(layers);
        }
        return WeightBinder.bind(withNested, groups, options, null);
    }

    private static final java.util.regex.Pattern SEED_GENERATOR = java.util.regex.Pattern.compile("seed_generator(_\\d+)?");

    /** {@code cnn/conv2d} names layer {@code conv2d} of model {@code cnn}. */
    private static String withoutModelPrefix(String key, String modelName) {
        return key.startsWith(modelName + "/") ? key.substring(modelName.length() + 1) : key;
    }
}
