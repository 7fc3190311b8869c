package io.keras4j.format.checkpoint;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.BundleWriter;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.core.OptimizerSlots;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Weight;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a model's weights as a checkpoint TensorFlow restores: the Keras 2 layout of {@code model.save_weights}
 * ({@code layer_with_weights-N/kernel/...}) or the Keras 3 layout of {@code tf.train.Checkpoint(model=m).write}
 * ({@code model/_operations/I/_kernel/...}), with the optimizer's variables when the model has them, each with the
 * object graph TF matches objects by, then the {@code checkpoint} state file naming the prefix.
 */
final class CheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
    private static final String VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE";

    private final Model model;
    private final Dialect dialect;
    private final TrackableObjectGraph.Builder graph = TrackableObjectGraph.builder();
    private final Map<String, Weight> values = new HashMap<>();
    private final java.util.List<String> keys = new java.util.ArrayList<>();

    private CheckpointWriter(Model model, Dialect dialect) {
        this.model = model;
        this.dialect = dialect == Dialect.KERAS3 ? Dialect.KERAS3 : Dialect.KERAS2;
    }

    static void write(Model model, Path target, WriteOptions options) {
        // A model of weightless layers (Flatten, pooling) checkpoints as its object graph alone, as Keras's does; an
        // architecture whose weights were never loaded has nothing to write.
        if (!model.hasWeights() && model.layers().stream().anyMatch(io.keras4j.core.WeightBinder::expectsWeights)) {
            throw new UnsupportedModelException("model '" + model.name() + "' has no weights to write to a checkpoint");
        }
        if (!model.modelWeights().isEmpty()) {
            throw new UnsupportedModelException("model '" + model.name() + "' owns variables outside its layers; "
                    + "writing them to a checkpoint is not supported yet");
        }
        Path prefix = stripIndexSuffix(target);
        CheckpointWriter w = new CheckpointWriter(model, options.dialect());
        if (options.includeOptimizer()) model.optimizer().filter(o -> !o.variables().isEmpty()).ifPresent(o -> {
            // A state crossing generations (Keras 3 variables into tf.keras's layout, or the reverse) that has no counterpart.
            boolean keras3State = OptimizerSlots.isKeras3(o.variables());
            if (keras3State != (w.dialect == Dialect.KERAS3)) OptimizerSlots.noCounterpart(o).ifPresent(why -> {
                throw new UnsupportedModelException("model '" + model.name() + "': " + why + "; write the checkpoint without "
                        + "the optimizer state (keras4j edit IN OUT --strip-optimizer, or WriteOptions.withIncludeOptimizer(false))");
            });
        });
        int modelNode = w.dialect == Dialect.KERAS2 ? w.layoutKeras2() : w.layoutKeras3();
        List<Weight> optimizer = options.includeOptimizer()
                ? model.optimizer().map(CheckpointWriter::optimizerVariables).orElse(List.of()) : List.of();
        if (!optimizer.isEmpty()) {
            if (optimizer.get(0).shortName().equals("iteration")) {
                w.addOptimizer(modelNode, w.dialect == Dialect.KERAS2 ? "optimizer/" : "model/optimizer/", optimizer);
            } else {
                LOG.warn("checkpoint {}: optimizer state of an optimizer older than Keras 2.11 (first variable '{}') is "
                        + "not written; only the layers' weights are", target, optimizer.get(0).name());
            }
        }
        checkReplaceable(prefix, OutputFiles.overwrite(options));
        try (BundleWriter bundle = BundleWriter.create(prefix)) {
            for (String key : w.keys) bundle.add(key, w.values.get(key).value());
            bundle.addObjectGraph(w.graph.build());
            bundle.finish();
        }
        CheckpointState.write(prefix);
    }

    /**
     * The files a checkpoint at {@code prefix} replaces must be its own: the data shard by its name (tensor bytes
     * carry no signature), the index by its table footer, {@code checkpoint} by its text; never special files.
     */
    static void checkReplaceable(Path prefix, boolean overwrite) {
        Path abs = prefix.toAbsolutePath();
        OutputFiles.checkReplaceable(TensorBundle.indexFile(abs), "checkpoint", false, overwrite, CheckpointWriter::isTable);
        OutputFiles.checkReplaceable(TensorBundle.dataFile(abs, 0, 1), "checkpoint", false, overwrite, p -> true);
        OutputFiles.checkReplaceable(abs.resolveSibling(CheckpointState.FILE_NAME), "checkpoint", false, overwrite,
                p -> OutputFiles.startsWith(p, "model_checkpoint_path".getBytes(StandardCharsets.US_ASCII)));
    }

    /** A LevelDB table ends with the magic number 0xdb4775248b80fb57 (little-endian). */
    private static boolean isTable(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) return true;
            if (ch.size() < 8) return false;
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) if (ch.read(b, ch.size() - 8 + b.position()) < 0) return false;
            return b.getLong(0) == 0xdb4775248b80fb57L;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Root = the model; {@code layer-I} = tf.keras's {@code model.layers[I]} (a Sequential's omits the InputLayer)
     * and {@code layer_with_weights-N} = the N-th of them that has weights, both naming the same node.
     */
    private int layoutKeras2() {
        int root = graph.add();
        keras2Model(model, root, "");
        return root;
    }

    private void keras2Model(Model m, int node, String path) {
        List<Layer> layers = m.layers();
        if (m.isSequential() && !layers.isEmpty() && layers.get(0).className().equals("InputLayer")) {
            layers = layers.subList(1, layers.size());
        }
        int n = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int layerNode = graph.add();
            if (!layer.weights().isEmpty()) {
                String child = "layer_with_weights-" + n++;
                graph.child(node, child, layerNode);
                if (layer.nestedModel().isPresent()) keras2Model(layer.nestedModel().get(), layerNode, path + child + "/");
                else addVariables(layerNode, path + child + "/", layer);
            }
            graph.child(node, "layer-" + i, layerNode);
        }
    }

    /** Root = the Checkpoint; {@code model/[_functional/]_operations/I} = the I-th operation, InputLayer included. */
    private int layoutKeras3() {
        int root = graph.add();
        int modelNode = graph.add();
        graph.child(root, "model", modelNode);
        keras3Model(model, modelNode, "model/");
        return modelNode;
    }

    /**
     * The optimizer's variables in Keras 3's order, {@code iteration} and {@code learning_rate} named as the checkpoint
     * layouts alias them: a Keras 3 state (a {@code .keras}'s {@code optimizer/vars/N}) is renamed, a tf.keras one
     * (whose learning rate lives in its config, yet both checkpoint layouts track it as a variable) translated by
     * {@link OptimizerSlots}; any other is returned as it is.
     */
    static List<Weight> optimizerVariables(OptimizerState state) {
        List<Weight> vars = state.variables();
        java.util.Optional<List<Weight>> keras3 = OptimizerSlots.isKeras3(vars) ? java.util.Optional.of(vars)
                : OptimizerSlots.keras3Variables(state);
        if (keras3.isEmpty()) return vars;
        List<Weight> out = new java.util.ArrayList<>(keras3.get());
        out.set(0, new Weight("iteration", out.get(0).value(), false));
        out.set(1, new Weight("learning_rate", out.get(1).value(), false));
        return out;
    }

    /**
     * The optimizer of Keras 3 and tf.keras >= 2.11 as the model's {@code optimizer} child: its {@code _variables}
     * list (iteration first, then the slots, interleaved per model variable as Keras creates them), with
     * {@code _iterations} and {@code _learning_rate} naming their nodes too; their values are saved under those
     * shorter paths, as TensorFlow saves each variable under the first path its breadth-first walk meets. tf.keras 2
     * keeps the learning rate out of {@code _variables}; Keras 3 puts it second.
     */
    private void addOptimizer(int modelNode, String path, List<Weight> variables) {
        int optimizer = graph.add();
        graph.child(modelNode, "optimizer", optimizer);
        int list = graph.add();
        graph.child(optimizer, "_variables", list);
        int index = 0;
        for (Weight v : variables) {
            String alias = switch (v.shortName()) {
                case "iteration" -> "_iterations";
                case "learning_rate" -> "_learning_rate";
                default -> null;
            };
            int node = graph.add();
            boolean listed = !(dialect == Dialect.KERAS2 && "_learning_rate".equals(alias));
            if (listed) graph.child(list, Integer.toString(index++), node);
            if (alias != null) graph.child(optimizer, alias, node);
            String key = path + (alias != null ? alias : "_variables/" + (index - 1)) + VALUE_SUFFIX;
            if (values.putIfAbsent(key, v) != null) {
                throw new UnsupportedModelException("the optimizer has two variables saved as '" + key + "'");
            }
            keys.add(key);
            graph.attribute(node, new TrackableObjectGraph.Attribute(TrackableObjectGraph.VARIABLE_VALUE,
                    stripDeviceSuffix(v.name()), key));
        }
    }

    private void keras3Model(Model m, int node, String path) {
        List<Layer> layers = m.layers();
        int owner = node;
        int offset = 0;
        if (m.isSequential()) {
            owner = graph.add();
            graph.child(node, "_functional", owner);
            path += "_functional/";
            // A Keras 3 Sequential always starts its operations with an InputLayer, declared or not.
            if (layers.isEmpty() || !layers.get(0).className().equals("InputLayer")) offset = 1;
        }
        int operations = graph.add();
        graph.child(owner, "_operations", operations);
        path += "_operations/";
        if (offset == 1) graph.child(operations, "0", graph.add());
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String index = Integer.toString(i + offset);
            int layerNode = graph.add();
            graph.child(operations, index, layerNode);
            if (layer.nestedModel().isPresent()) keras3Model(layer.nestedModel().get(), layerNode, path + index + "/");
            else addVariables(layerNode, path + index + "/", layer);
        }
    }

    private void addVariables(int layerNode, String layerPath, Layer layer) {
        Map<String, Integer> intermediate = new HashMap<>();
        List<String> paths = TrackingNames.paths(dialect, layer);
        for (int w = 0; w < paths.size(); w++) {
            Weight weight = layer.weights().get(w);
            String tracked = paths.get(w);
            if (tracked.matches("(.*/)?\\d+")) {
                // A Keras 3 file numbers the variables of a class keras4j does not know (a custom layer): the attribute
                // Keras tracks them by, which a restore matches, is unknown, so a checkpoint would not restore.
                throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className()
                        + "): the attribute names of its variables are unknown (the file numbers them), so Keras could not "
                        + "restore a checkpoint of it");
            }
            int parent = layerNode;
            String[] parts = tracked.split("/");
            StringBuilder sofar = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                sofar.append(parts[i]).append('/');
                final int from = parent;
                final String part = parts[i];
                parent = intermediate.computeIfAbsent(sofar.toString(), k -> {
                    int child = graph.add();
                    graph.child(from, part, child);
                    return child;
                });
            }
            int variable = graph.add();
            graph.child(parent, parts[parts.length - 1], variable);
            String key = layerPath + tracked + VALUE_SUFFIX;
            if (values.putIfAbsent(key, weight) != null) {
                throw new UnsupportedModelException("layer '" + layer.name() + "' has two weights tracked as '" + tracked + "'");
            }
            keys.add(key);
            graph.attribute(variable, new TrackableObjectGraph.Attribute(TrackableObjectGraph.VARIABLE_VALUE,
                    fullName(layer, weight, tracked), key));
        }
    }

    /** Keras's variable path ({@code mha/query/kernel}) when the source kept it, else one built from the tracking path. */
    private static String fullName(Layer layer, Weight weight, String tracked) {
        String name = stripDeviceSuffix(weight.name());
        return name.contains("/") ? name : layer.name() + "/" + tracked;
    }

    private static String stripDeviceSuffix(String name) {
        return name.endsWith(":0") ? name.substring(0, name.length() - 2) : name;
    }

    private static Path stripIndexSuffix(Path target) {
        String name = target.getFileName().toString();
        return name.endsWith(".index") ? target.resolveSibling(name.substring(0, name.length() - 6)) : target;
    }
}
