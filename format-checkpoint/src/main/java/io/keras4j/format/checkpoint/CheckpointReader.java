package io.keras4j.format.checkpoint;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.BundleEntry;
import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Provenance;
import io.keras4j.model.Weight;
import io.keras4j.core.WeightBinder;
import io.keras4j.core.TrainingConfigs;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Reads checkpoints as Keras sees them: layers' weights and optimizer state found through the object graph. */
final class CheckpointReader {
    private static final String CODEC = "checkpoint";

    private CheckpointReader() {}

    /** Without an architecture: the variables grouped by layer when the layout is Keras's, else all raw variables. */
    static KerasFile read(Path input, ReadOptions options) {
        Path prefix = CheckpointPaths.prefixOf(input);
        try (BundleReader bundle = TensorBundle.open(prefix)) {
            Function<String, Tensor> load = options.withWeights() ? bundle::read : bundle::readLazily;
            Optional<KerasLayout> layout = bundle.hasObjectGraph() ? KerasLayout.of(bundle.objectGraph()) : Optional.empty();
            KerasFile.Builder file = KerasFile.builder(CODEC, input)
                    .provenance(new Provenance(null, "tensorflow", CODEC))
                    .details(details(bundle, layout));
            if (layout.isPresent()) {
                for (KerasLayout.LayerNode layer : layout.get().layersWithWeights()) {
                    file.addStoredWeights(layer.path(), weights(layer.variables(), load));
                }
                List<Weight> optimizer = weights(layout.get().optimizerVariables(), load);
                if (!optimizer.isEmpty()) file.addStoredWeights("optimizer", optimizer);
            } else {
                List<Weight> raw = new ArrayList<>();
                for (String key : bundle.keys()) {
                    if (!key.equals(TrackableObjectGraph.KEY)) raw.add(Weight.of(key, load.apply(key)));
                }
                file.addStoredWeights(prefix.getFileName().toString(), raw);
            }
            return file.build();
        }
    }

    /** Keras's {@code load_weights} of a checkpoint into {@code architecture}, optimizer state included when stored. */
    static Model loadWeights(Model architecture, Path input, LoadWeightsOptions options) {
        Path prefix = CheckpointPaths.prefixOf(input);
        try (BundleReader bundle = TensorBundle.open(prefix)) {
            if (!bundle.hasObjectGraph()) {
                throw new UnsupportedModelException("checkpoint " + prefix + " has no object graph (a TF1 name-based "
                        + "checkpoint); keras4j cannot tell which variable belongs to which layer", CODEC, prefix, null, null);
            }
            KerasLayout layout = KerasLayout.of(bundle.objectGraph()).orElseThrow(() -> new UnsupportedModelException(
                    "checkpoint " + prefix + " holds no Keras model (no layer_with_weights-N or model/_operations)",
                    CODEC, prefix, null, null));
            Model bound;
            if (options.byName()) {
                List<KerasFile.StoredWeights> groups = new ArrayList<>();
                for (KerasLayout.LayerNode layer : layout.layersWithWeights()) {
                    groups.add(new KerasFile.StoredWeights(layerName(architecture, layer), weights(layer.variables(), bundle::read)));
                }
                bound = WeightBinder.bind(architecture, groups, options, null);
            } else {
                bound = bindByPosition(architecture, layout, bundle::read, prefix);
            }
            List<Weight> optimizer = weights(layout.optimizerVariables(), bundle::read);
            if (optimizer.isEmpty()) return bound;
            // The optimizer's class and arguments are in the architecture's compile settings.
            var config = architecture.optimizer().map(OptimizerState::config).filter(c -> c.size() > 0)
                    .orElseGet(() -> architecture.trainingConfig().map(TrainingConfigs::optimizerOf).orElse(JsonObject.EMPTY));
            return bound.toBuilder().optimizer(new OptimizerState(config, optimizer)).build();
        }
    }

    /**
     * Matches checkpoint layers to the architecture's by position, as TensorFlow restores them: {@code layer-N} is
     * tf.keras's {@code model.layers[N]} (a Sequential's omits the InputLayer), {@code _operations/N} is Keras 3's
     * N-th operation (a Sequential's starts with its InputLayer, declared in the config or not). Nested models are
     * bound recursively.
     */
    private static Model bindByPosition(Model arch, KerasLayout layout, Function<String, Tensor> load, Path prefix) {
        List<Layer> layers = new ArrayList<>(arch.layers());
        int shift = 0;
        if (arch.isSequential()) {
            int declaredInput = !layers.isEmpty() && layers.get(0).className().equals("InputLayer") ? 1 : 0;
            shift = layout.dialect() == Dialect.KERAS2 ? declaredInput : declaredInput - 1;
        }
        for (KerasLayout.LayerSlot slot : layout.layers()) {
            List<KerasLayout.Variable> vars = layout.variables(slot);
            if (vars.isEmpty()) continue;
            int i = slot.index() + shift;
            Layer target = i >= 0 && i < layers.size() ? layers.get(i) : null;
            if (target == null || !WeightBinder.expectsWeights(target)) {
                throw new UnsupportedModelException("checkpoint layer " + slot.path() + " holds " + vars.size()
                        + " variables but model '" + arch.name() + "' has " + (target == null ? "no layer at position " + i
                        : "the weightless " + target) + " there; is this the architecture the checkpoint was saved from?",
                        CODEC, prefix, slot.path(), null);
            }
            Optional<KerasLayout> nested = layout.nested(slot);
            if (target.nestedModel().isPresent() && nested.isPresent()) {
                Model inner = bindByPosition(target.nestedModel().get(), nested.get(), load, prefix);
                layers.set(i, target.toBuilder().nestedModel(inner).weights(List.of()).build());
            } else {
                layers.set(i, target.toBuilder().weights(weights(vars, load)).build());
            }
        }
        return arch.withLayers(layers);
    }

    /**
     * The architecture's layer a group belongs to, for loading by name: the first segment of a variable's Keras
     * name that names a layer ({@code d1/kernel}, {@code seq/d1/kernel}, {@code lstm/lstm_cell/kernel}).
     */
    private static String layerName(Model architecture, KerasLayout.LayerNode layer) {
        for (KerasLayout.Variable v : layer.variables()) {
            for (String segment : v.fullName().split("/")) {
                if (architecture.layer(segment).isPresent()) return segment;
            }
        }
        return layer.path();
    }

    private static List<Weight> weights(List<KerasLayout.Variable> variables, Function<String, Tensor> load) {
        List<Weight> out = new ArrayList<>();
        for (KerasLayout.Variable v : variables) {
            String name = v.fullName().isEmpty() ? v.localPath() : v.fullName();
            out.add(new Weight(name, load.apply(v.checkpointKey()), v.trainable()));
        }
        return out;
    }

    private static JsonObject details(BundleReader bundle, Optional<KerasLayout> layout) {
        JsonArray.Builder vars = JsonArray.builder();
        for (String key : bundle.keys()) {
            BundleEntry e = bundle.entry(key);
            JsonArray.Builder shape = JsonArray.builder();
            for (long d : e.shape()) shape.add(d);
            vars.add(JsonObject.builder().put("key", key).put("dtype", e.dtypeName()).put("shape", shape.build())
                    .put("shard", e.shardId()).put("sliced", e.isSliced()).build());
        }
        String kind = layout.map(l -> l.dialect() == Dialect.KERAS2 ? "keras2" : "keras3")
                .orElse(bundle.hasObjectGraph() ? "tensorflow" : "tensorflow-v1");
        return JsonObject.builder().put("prefix", bundle.prefix().toString()).put("shards", bundle.numShards())
                .put("layout", kind).put("variables", vars.build()).build();
    }
}
