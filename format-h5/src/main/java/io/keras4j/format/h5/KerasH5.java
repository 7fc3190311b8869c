package io.keras4j.format.h5;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Reader;
import io.keras4j.format.h5.hdf5.H5Writer;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.KerasFile.StoredWeights;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Provenance;
import io.keras4j.model.Weight;
import io.keras4j.core.WeightBinder;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading and writing every Keras HDF5 layout. The codecs of this module and the {@code .keras} archive codec use it;
 * it is public so that the archive codec can read and write the {@code model.weights.h5} member.
 */
public final class KerasH5 {
    static final String CODEC = "h5";

    private KerasH5() {}

    /** Which of Keras's HDF5 layouts a file holds. */
    enum Layout { FULL_MODEL, LAYER_WEIGHTS, OBJECT_PATH_WEIGHTS }

    /** Reads a legacy full model, or the stored groups of a weights-only file. */
    public static KerasFile read(Path file, String codec) {
        H5Group root = H5Reader.read(file, codec);
        Layout layout = layout(root, file, codec);
        String version = KerasAttributes.string(root, "keras_version")
                .or(() -> root.group("model_weights").flatMap(g -> KerasAttributes.string(g, "keras_version"))).orElse(null);
        String backend = KerasAttributes.string(root, "backend")
                .or(() -> root.group("model_weights").flatMap(g -> KerasAttributes.string(g, "backend"))).orElse(null);
        Provenance provenance = new Provenance(version, backend, codec);
        JsonObject details = JsonObject.builder().put("layout", layout.name().toLowerCase(Locale.ROOT)).build();
        KerasFile.Builder out = KerasFile.builder(codec, file).details(details).provenance(provenance);
        switch (layout) {
            case FULL_MODEL -> out.model(fullModel(root, file, codec, provenance));
            case LAYER_WEIGHTS -> {
                for (StoredWeights g : LegacyLayout.read(layerRoot(root), why -> corrupt(file, codec, why))) out.addStoredWeights(g.key(), g.weights());
            }
            case OBJECT_PATH_WEIGHTS -> {
                for (StoredWeights g : ObjectPathLayout.read(root)) out.addStoredWeights(g.key(), g.weights());
            }
        }
        return out.build();
    }

    /** Keras's {@code load_weights} from any HDF5 weights layout (a full-model file's weights too). */
    public static Model loadWeights(Model architecture, Path file, LoadWeightsOptions options, String codec) {
        H5Group root = H5Reader.read(file, codec);
        return bindWeights(architecture, root, options, file, codec);
    }

    static Model bindWeights(Model architecture, H5Group root, LoadWeightsOptions options, Path file, String codec) {
        Layout layout = layout(root, file, codec);
        if (layout == Layout.OBJECT_PATH_WEIGHTS) return ObjectPathLayout.bind(architecture, root, options.skipMismatch());
        H5Group layers = layerRoot(root);
        Keras1Weights.Origin origin = origin(root, layers, architecture.dialect());
        List<StoredWeights> raw = LegacyLayout.read(layers, why -> corrupt(file, codec, why));
        List<Layer> positional = raw.size() == architecture.layers().size() ? architecture.layers()
                : architecture.layers().stream().filter(l -> !l.className().equals("InputLayer")).toList();
        LoadWeightsOptions effective = options;
        if (!options.byName() && raw.size() == positional.size()) {
            // layer_names lists every layer in model order, so pairing by position is Keras's order matching
            // without having to guess which layers own weights (a TimeDistributed(Flatten) owns none).
            List<StoredWeights> renamed = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) renamed.add(new StoredWeights(positional.get(i).name(), raw.get(i).weights()));
            raw = renamed;
            effective = new LoadWeightsOptions(true, options.skipMismatch());
        }
        if (effective.byName() && !architecture.hasWeights()) {
            return LegacyLayout.bind(architecture, raw, origin); // nothing to check shapes against; nested models split by name
        }
        List<StoredWeights> stored = new ArrayList<>();
        for (StoredWeights g : raw) {
            Optional<Layer> layer = architecture.layer(g.key());
            List<Weight> w = origin.needsConversion() && layer.isPresent() && layer.get().nestedModel().isEmpty()
                    ? Keras1Weights.convert(layer.get(), g.weights(), origin) : LegacyLayout.shortNames(g.weights());
            stored.add(new StoredWeights(g.key(), w));
        }
        try {
            return WeightBinder.bind(architecture, stored, effective, null);
        } catch (Keras4jException e) {
            throw CorruptModelException.in(file).codec(codec).cause(e).unsupported(e.getMessage());
        }
    }

    /** Reads the Keras 3 weights of {@code file} into {@code architecture}, copying tensors to memory when asked. */
    public static Model readWeightsInto(Model architecture, Path file, boolean copyToMemory, String codec) {
        H5Group root = H5Reader.read(file, codec);
        Model bound = bindWeights(architecture, root, new LoadWeightsOptions(false, false), file, codec);
        return copyToMemory ? InMemory.copy(bound) : bound;
    }

    /**
     * Reads the Keras 3 weights of an HDF5 image stored uncompressed as bytes {@code [start, start + length)} of
     * {@code file} (a {@code .keras} zip member); the tensors stay regions of {@code file}, nothing is copied.
     */
    public static Model readEmbeddedWeightsInto(Model architecture, Path file, long start, long length, String codec) {
        H5Group root = H5Reader.readEmbedded(file, start, length, codec);
        return bindWeights(architecture, root, new LoadWeightsOptions(false, false), file, codec);
    }

    /** As above, reading the archive already opened (and its member checked) by the caller. */
    public static Model readEmbeddedWeightsInto(Model architecture, TensorData.HeldFile file, long start, long length,
                                                String codec) {
        H5Group root = H5Reader.readEmbedded(file, start, length, codec);
        return bindWeights(architecture, root, new LoadWeightsOptions(false, false), file.path(), codec);
    }

    /** Writes the layout the target's name and options ask for; atomically. */
    public static void write(Model model, Path target, WriteOptions options) {
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        H5Group tree;
        if (name.endsWith(".weights.h5")) {
            tree = ObjectPathLayout.write(model, options.includeOptimizer());
        } else if (options.weightsOnly()) {
            tree = LegacyWriter.weightsOnly(model, options.dialect());
        } else {
            tree = LegacyWriter.fullModel(model, options.dialect(), options.includeOptimizer(), options.allowSemanticChange());
        }
        // An existing target is replaced only when it is HDF5 (or asked to be): never another file or a device.
        OutputFiles.checkReplaceable(target.toAbsolutePath(), CODEC, false, OutputFiles.overwrite(options),
                p -> OutputFiles.startsWith(p, HDF5_SIGNATURE));
        writeAtomically(tree, target);
    }

    static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** Writes the Keras 3 {@code .weights.h5} layout (the {@code model.weights.h5} of a {@code .keras} archive). */
    public static void writeWeights(Model model, Path target, boolean includeOptimizer) {
        writeAtomically(ObjectPathLayout.write(model, includeOptimizer), target);
    }

    static void writeAtomically(H5Group tree, Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = OutputFiles.createTempFile(dir, "." + target.getFileName(), ".tmp");
            H5Writer.write(tree, tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new Keras4jException(CODEC + ": cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    static Layout layout(H5Group root, Path file, String codec) {
        if (KerasAttributes.string(root, "model_config").isPresent()) return Layout.FULL_MODEL;
        if (KerasAttributes.has(root, "layer_names") || root.group("model_weights").isPresent()) return Layout.LAYER_WEIGHTS;
        if (ObjectPathLayout.looksLike(root)) return Layout.OBJECT_PATH_WEIGHTS;
        throw corrupt(file, codec, "an HDF5 file without Keras content: no model_config, layer_names or layers/vars groups");
    }

    /** Where layer groups are: the root of a save_weights file, else {@code model_weights}. */
    private static H5Group layerRoot(H5Group root) {
        if (KerasAttributes.has(root, "layer_names")) return root;
        return root.group("model_weights").orElse(root);
    }

    private static Model fullModel(H5Group root, Path file, String codec, Provenance provenance) {
        String config = KerasAttributes.string(root, "model_config").orElseThrow();
        Model architecture = KerasJson.readModel(KerasJson.parse(config, file), file);
        H5Group weights = root.group("model_weights")
                .orElseThrow(() -> corrupt(file, codec, "model_config present but no model_weights group"));
        Model model = LegacyLayout.bind(architecture, LegacyLayout.read(weights, why -> corrupt(file, codec, why)),
                origin(root, weights, architecture.dialect()));
        Model.Builder b = model.toBuilder().provenance(provenance);
        weights.group("top_level_model_weights").ifPresent(g -> {
            List<Weight> top = new ArrayList<>();
            for (String n : KerasAttributes.strings(g, "weight_names")) {
                if (g.find(n).orElse(null) instanceof H5Dataset d) top.add(new Weight(Weight.shortName(n), d.value(), true));
            }
            b.modelWeights(top);
        });
        Optional<JsonObject> training = KerasAttributes.string(root, "training_config")
                .map(t -> KerasJson.parse(t, file)).filter(JsonValue::isObject).map(JsonValue::asObject);
        training.ifPresent(b::trainingConfig);
        root.group("optimizer_weights").ifPresent(g -> {
            List<Weight> vars = new ArrayList<>();
            for (String n : KerasAttributes.strings(g, "weight_names")) {
                if (g.find(n).orElse(null) instanceof H5Dataset d) vars.add(new Weight(n, d.value(), false));
            }
            JsonObject optimizerConfig = training.map(t -> t.getObject("optimizer_config")).orElse(null);
            b.optimizer(new OptimizerState(optimizerConfig, vars));
        });
        return b.build();
    }

    /** Keras 1 weights need repacking; Theano-backend weights (the backend attribute Keras 2 wrote) a kernel flip. */
    private static Keras1Weights.Origin origin(H5Group root, H5Group layers, Dialect dialect) {
        boolean theano = KerasAttributes.string(root, "backend").or(() -> KerasAttributes.string(layers, "backend"))
                .map("theano"::equals).orElse(false);
        return new Keras1Weights.Origin(isKeras1(root, layers, dialect), theano);
    }

    private static boolean isKeras1(H5Group root, H5Group layers, Dialect dialect) {
        if (dialect == Dialect.KERAS1) return true;
        Optional<String> version = KerasAttributes.string(root, "keras_version").or(() -> KerasAttributes.string(layers, "keras_version"));
        if (version.isPresent()) return version.get().startsWith("1");
        // Keras 1 save_weights wrote no version: its weight names end in _W, _b, _U_i, ….
        for (String layer : KerasAttributes.strings(layers, "layer_names")) {
            for (String w : layers.group(layer).map(g -> KerasAttributes.strings(g, "weight_names")).orElse(List.of())) {
                String s = Weight.shortName(w);
                if (s.matches(".*_(W|b|U|gamma|beta|running_mean|running_std)(_[a-z])?")) return true;
            }
        }
        return false;
    }

    static CorruptModelException corrupt(Path file, String codec, String why) {
        return CorruptModelException.in(file).codec(codec).because(why);
    }
}
