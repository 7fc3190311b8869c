package io.keras4j.format.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes every zoo model and the {@code *_nested} fixtures back as checkpoints in their generation's layout, reads them
 * again, and has real TensorFlow and Keras restore them ({@code oracle/reverse_check.py} through {@link KerasOracle}):
 * each checkpoint is restored into the zoo's weightless {@code model.json}, Keras must assert that every object of the
 * model matched, and the model must predict the reference outputs. With {@code -Dkeras4j.checkpoint.export=DIR} the
 * checkpoints and the {@code cases.json} stay in DIR.
 */
class CheckpointWriterTest {
    private final CheckpointCodec codec = new CheckpointCodec();

    /** What {@link #writeAll} wrote: the reverse-check cases, and the refusals by id. */
    private record Written(List<JsonObject> cases, Map<String, String> refused) {}

    private Written writeAll(Path out) throws IOException {
        List<JsonObject> cases = new ArrayList<>();
        Map<String, String> refused = new TreeMap<>();
        List<Path> dirs = new ArrayList<>(ZooCheckpointTest.zooModels().toList());
        dirs.add(TfFixtures.dir("k2_nested"));
        dirs.add(TfFixtures.dir("k3_nested"));
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            boolean k3 = name.equals("k3") || name.startsWith("k3_");
            Model arch = architecture(dir);
            Model model = codec.loadWeights(arch, dir.resolve("ckpt"), LoadWeightsOptions.DEFAULT);
            String id = name.contains("_") ? name : dir.getParent().getFileName() + "-" + name;
            Path prefix = out.resolve(id).resolve("ckpt");
            try {
                codec.write(model, prefix, WriteOptions.DEFAULT.withDialect(k3 ? Dialect.KERAS3 : Dialect.KERAS2));
            } catch (UnsupportedModelException e) {
                assertThat(out.resolve(id)).as("%s refused but left output behind", id).doesNotExist();
                refused.put(id, PinnedOutcomes.reason(e.getMessage(), out));
                continue;
            }
            assertThat(prefix.resolveSibling("checkpoint")).exists();
            Model back = codec.loadWeights(arch, prefix, LoadWeightsOptions.DEFAULT);
            assertSameWeights(back, model, id);
            // model.json holds no weights: it predicts the references only if the checkpoint restores all of them.
            cases.add(JsonObject.builder().put("id", id)
                    .put("loader", k3 ? "keras3.checkpoint_read" : "tf_keras.load_weights")
                    .put("path", prefix.toString())
                    .put("architecture", dir.resolve("model.json").toString())
                    .put("custom", id.startsWith("custom-"))
                    .put("inputs", files(dir, "inputs_")).put("outputs", files(dir, "outputs_")).build());
        }
        return new Written(cases, refused);
    }

    @Test
    void zooModelsRoundTripInBothLayouts(@TempDir Path temp) throws IOException {
        Written written = writeAll(temp);
        assertThat(written.cases()).hasSizeGreaterThanOrEqualTo(10);
        PinnedOutcomes.assertMatches("checkpoint-writer-refusals", "checkpoint writer refusals", written.refused());
    }

    @Test
    void realKerasRestoresEveryObjectAndPredictsTheSame(@TempDir Path temp) throws Exception {
        KerasOracle.requirePython();
        String export = System.getProperty("keras4j.checkpoint.export");
        Path out = Files.createDirectories(export == null ? temp : Path.of(export).toAbsolutePath());
        Written written = writeAll(out);
        Path casesFile = out.resolve("cases.json");
        Files.writeString(casesFile, KerasJson.toText(new JsonArray(new ArrayList<>(written.cases())), true));
        Path report = KerasOracle.reverseCheck(casesFile, out.resolve("report.json"));
        JsonArray results = KerasJson.parse(Files.readString(report), report).asObject().getArray("results");
        assertThat(KerasOracle.failedCases(results, written.cases().size())).as("checkpoints real Keras did not restore exactly, see the log above").isEmpty();
    }

    /**
     * The written keys and values are those real Keras wrote for the same model (Bidirectional's
     * {@code forward_layer/cell/kernel}, MultiHeadAttention's {@code _query_dense/_kernel}, the optimizer's
     * {@code _variables/N}...).
     */
    @Test
    void writtenKeysAndValuesAreThoseKerasWrote(@TempDir Path temp) throws IOException {
        int compared = 0;
        for (Path dir : ZooCheckpointTest.zooModels().toList()) {
            assertWritesAsKeras(dir, temp.resolve(dir.getParent().getFileName() + "-" + dir.getFileName()));
            compared++;
        }
        assertThat(compared).as("zoo checkpoints compared, rnn, attention and trained among them").isGreaterThanOrEqualTo(24);
    }

    /** MultiHeadAttention without biases (Keras 3: gated) and TimeDistributed(Bidirectional(SimpleRNN)). */
    @ParameterizedTest
    @ValueSource(strings = {"k2_nested", "k3_nested"})
    void nestedSublayersAreWrittenAsKerasWroteThem(String name, @TempDir Path temp) throws IOException {
        assertWritesAsKeras(TfFixtures.dir(name), temp);
    }

    /**
     * Reads the model of {@code dir} (model.json + ckpt/ckpt), writes it in its generation's layout and compares keys
     * and values with what real Keras wrote. Keras 3 also tracks a model's trainable variables through its optimizer
     * ({@code _trainable_variables/N}), where TensorFlow then saves them; keras4j saves them under their layers, so
     * for such a checkpoint only the other keys are compared.
     */
    private void assertWritesAsKeras(Path dir, Path out) throws IOException {
        Path realPrefix = dir.resolve("ckpt/ckpt");
        boolean k3;
        try (BundleReader real = TensorBundle.open(realPrefix)) {
            k3 = real.keys().stream().anyMatch(k -> k.startsWith("model/"));
        }
        Model model = codec.loadWeights(architecture(dir), dir.resolve("ckpt"), LoadWeightsOptions.DEFAULT);
        Path prefix = out.resolve("ckpt");
        codec.write(model, prefix, WriteOptions.DEFAULT.withDialect(k3 ? Dialect.KERAS3 : Dialect.KERAS2));
        try (BundleReader real = TensorBundle.open(realPrefix); BundleReader written = TensorBundle.open(prefix)) {
            List<String> realKeys = real.keys().stream().filter(k -> !k.equals(TrackableObjectGraph.KEY)).sorted().toList();
            List<String> writtenKeys = written.keys().stream().filter(k -> !k.equals(TrackableObjectGraph.KEY)).sorted().toList();
            Set<String> realGraph = describe(real.objectGraph());
            Set<String> writtenGraph = describe(written.objectGraph());
            if (realKeys.stream().anyMatch(k -> k.contains("/_trainable_variables/"))) {
                assertThat(writtenKeys).as(dir.toString())
                        .containsAll(realKeys.stream().filter(k -> !k.contains("/_trainable_variables/")).toList());
                assertThat(writtenGraph).as(dir + " object graph")
                        .containsAll(realGraph.stream().filter(l -> !l.contains("_trainable_variables")).toList());
            } else {
                assertThat(writtenKeys).as(dir.toString()).isEqualTo(realKeys);
                assertThat(writtenGraph).as(dir + " object graph").containsExactlyElementsOf(realGraph);
            }
            for (String key : writtenKeys) {
                if (realKeys.contains(key)) {
                    assertThat(written.read(key).contentEquals(real.read(key))).as(dir + " " + key).isTrue();
                }
            }
        }
    }

    @Test
    void optimizerStateIsLeftOutOnRequest(@TempDir Path temp) throws IOException {
        Path dir = Fixtures.zoo().resolve("trained/k3");
        Model model = codec.loadWeights(architecture(dir), dir.resolve("ckpt"), LoadWeightsOptions.DEFAULT);
        assertThat(model.optimizer()).isPresent();
        codec.write(model, temp.resolve("ckpt"), WriteOptions.DEFAULT.withIncludeOptimizer(false));
        try (BundleReader written = TensorBundle.open(temp.resolve("ckpt"))) {
            assertThat(written.keys()).isNotEmpty().noneMatch(k -> k.contains("optimizer"));
        }
    }

    @Test
    void unchartedNestedLayersAreRefusedClearly(@TempDir Path temp) throws IOException {
        Path dir = Fixtures.zoo().resolve("rnn/k2");
        Model rnn = codec.loadWeights(architecture(dir), dir.resolve("ckpt"), LoadWeightsOptions.DEFAULT);
        Model model = rnn.withLayers(rnn.layers().stream()
                .map(l -> l.className().equals("LSTM") ? l.toBuilder().className("ConvLSTM2D").build() : l).toList());
        assertThatThrownBy(() -> codec.write(model, temp.resolve("ckpt"), WriteOptions.DEFAULT))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("ConvLSTM2D").hasMessageContaining("lstm");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).as("nothing half-written").isEmpty();
        }
    }

    /** Lists by which Keras optimizers name their {@code _variables} a second time; keras4j writes only {@code _variables}. */
    private static final Set<String> OPTIMIZER_ALIASES = Set.of("_momentums", "_velocities", "_index_dict");

    /**
     * The state-holding part of an object graph as comparable lines, each node named by its first path from the root
     * (breadth first, children by name) so node numbering does not matter: every named edge to a node that holds or
     * leads to a value, every attribute with its checkpoint key, every optimizer slot. Left out: variable names
     * ({@code full_name}; Keras numbers them per Python session), Keras's bookkeeping nodes that lead to no value
     * (empty {@code _losses}, {@code _inbound_nodes}, {@code state_spec}, {@code axis}, {@code _softmax}...), which
     * keras4j does not write and TensorFlow restores nothing from, tf_keras's {@code root} self-reference, and the
     * optimizer's second names for its {@code _variables} ({@link #OPTIMIZER_ALIASES}, README "Not yet").
     */
    static Set<String> describe(TrackableObjectGraph graph) {
        Set<Integer> holding = new HashSet<>();
        for (boolean grew = true; grew; ) {
            grew = false;
            for (int id = 0; id < graph.size(); id++) {
                TrackableObjectGraph.Node node = graph.node(id);
                if (!holding.contains(id) && (!node.attributes().isEmpty() || !node.slotVariables().isEmpty()
                        || node.children().stream().anyMatch(c -> holding.contains(c.nodeId())
                                && !OPTIMIZER_ALIASES.contains(c.localName())))) {
                    grew = holding.add(id) || grew;
                }
            }
        }
        Predicate<TrackableObjectGraph.Child> kept = c -> c.nodeId() != 0 && holding.contains(c.nodeId())
                && !OPTIMIZER_ALIASES.contains(c.localName());
        Map<Integer, String> path = new HashMap<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(0));
        path.put(0, "(root)");
        while (!queue.isEmpty()) {
            int id = queue.poll();
            TrackableObjectGraph.Node node = graph.node(id);
            node.children().stream().filter(kept).sorted(Comparator.comparing(TrackableObjectGraph.Child::localName)).forEach(c -> {
                if (path.putIfAbsent(c.nodeId(), path.get(id) + "/" + c.localName()) == null) queue.add(c.nodeId());
            });
            // Slot variables hang off their optimizer, not off a named edge.
            for (var slot : node.slotVariables()) {
                if (path.putIfAbsent(slot.slotVariableNodeId(), path.get(id) + "{slot " + slot.slotName() + "}") == null) {
                    queue.add(slot.slotVariableNodeId());
                }
            }
        }
        for (int id = 0; id < graph.size(); id++) {
            if (!graph.node(id).attributes().isEmpty()) assertThat(path).as("value of node %d reachable from the root", id).containsKey(id);
        }
        Set<String> lines = new TreeSet<>();
        path.forEach((id, at) -> {
            TrackableObjectGraph.Node node = graph.node(id);
            node.children().stream().filter(kept).forEach(c -> lines.add(at + " -" + c.localName() + "-> " + path.get(c.nodeId())));
            node.attributes().forEach(a -> lines.add(at + " [" + a.name() + "] " + a.checkpointKey()));
            node.slotVariables().forEach(v -> lines.add(at + " slot " + v.slotName() + " of "
                    + path.get(v.originalVariableNodeId()) + " = " + path.get(v.slotVariableNodeId())));
        });
        return lines;
    }

    static Model architecture(Path dir) throws IOException {
        return KerasJson.readModel(Files.readString(dir.resolve("model.json")), dir.resolve("model.json"));
    }

    static JsonArray files(Path dir, String prefix) throws IOException {
        JsonArray.Builder b = JsonArray.builder();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().forEach(p -> b.add(p.toString()));
        }
        return b.build();
    }

    static void assertSameWeights(Model actual, Model expected, String what) {
        List<Weight> a = actual.weights();
        List<Weight> e = expected.weights();
        assertThat(a).as(what + " weight count").hasSize(e.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).shortName()).as(what + " weight " + i).isEqualTo(e.get(i).shortName());
            assertThat(a.get(i).value().contentEquals(e.get(i).value())).as(what + " " + a.get(i).name()).isTrue();
        }
        for (Layer l : expected.layers()) assertThat(actual.layer(l.name())).isPresent();
    }
}
