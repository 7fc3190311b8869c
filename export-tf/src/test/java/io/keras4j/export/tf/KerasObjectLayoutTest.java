package io.keras4j.export.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.keras.KerasArchiveCodec;
import io.keras4j.format.savedmodel.SavedModelCodec;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.tf.proto.keras.SavedMetadata;
import io.keras4j.model.Model;
import io.keras4j.spi.ReadOptions;
import io.keras4j.UnsupportedModelException;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.PinnedOutcomes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The tf.keras object structure keras4j lays out must be the one tf_keras itself saves: for every zoo model with a
 * real tf_keras SavedModel, the path through layer children to each variable ({@code layer_with_weights-1/cell/kernel})
 * and the Keras identifier of each model and layer node ({@code root.layer-0 → _tf_keras_input_layer}) equal the
 * real file's.
 * Both the tf_keras model and the Keras 3 model of the same zoo entry are laid out: layer paths are positional, so
 * they must agree with the real file too. The custom and Lambda entries' shapes come from the user's Java layers,
 * the runtime tests' {@code ZooLayers}, found on the class path as a user's provider would be.
 */
class KerasObjectLayoutTest {
    /** Bookkeeping children tf_keras saves besides the tracked attributes (lists, the keras_api object, functions). */
    private static final Set<String> NOT_TRACKED_ATTRIBUTES = Set.of("variables", "trainable_variables",
            "non_trainable_variables", "regularization_losses", "keras_api", "signatures", "optimizer");

    private static final Pattern LAYER_PATH = Pattern.compile("root(\\.layer(_with_weights)?-\\d+)*");

    @TestFactory
    Stream<DynamicTest> variablesAndLayerNodesSitWhereTfKerasPutsThem() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(Fixtures.zoo())) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("k2/savedmodel/keras_metadata.pb"))).sorted().toList();
        }
        assertThat(dirs).as("zoo entries with a tf_keras SavedModel").isNotEmpty();
        Map<String, String> refused = new TreeMap<>();
        Stream<DynamicTest> each = dirs.stream().flatMap(dir -> Stream.of("k2", "k3").map(gen -> DynamicTest.dynamicTest(dir.getFileName() + " " + gen, () -> {
            Path real = dir.resolve("k2/savedmodel");
            Model model = gen.equals("k2") ? new SavedModelCodec().read(real, ReadOptions.DEFAULT).model().orElseThrow()
                    : new KerasArchiveCodec().read(dir.resolve("k3/model.keras"), ReadOptions.DEFAULT).model().orElseThrow();
            SavedObjectGraph expected = WrittenFiles.metaGraph(real).getObjectGraphDef();
            KerasObjectLayout layout;
            try {
                layout = KerasObjectLayout.of(model);
            } catch (UnsupportedModelException e) {
                refused.put(dir.getFileName() + " " + gen, PinnedOutcomes.reason(e.getMessage()));
                return;
            }

            assertThat(variablePaths(layout.objects().savedObjectGraph())).isEqualTo(variablePaths(expected));
            SavedMetadata realMetadata = WrittenFiles.kerasMetadata(real);
            assertThat(identifiers(layout.metadata())).isEqualTo(identifiers(realMetadata));
            // Sub-layers keras4j describes too (MultiHeadAttention's projections) sit where tf_keras puts them.
            Map<String, String> realNodes = new TreeMap<>();
            realMetadata.getNodesList().forEach(n -> realNodes.put(n.getNodePath(), n.getIdentifier()));
            layout.metadata().getNodesList().forEach(n -> assertThat(realNodes).containsEntry(n.getNodePath(), n.getIdentifier()));
        })));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("refusals equal the pinned table",
                () -> PinnedOutcomes.assertMatches("object-layout-refusals", "zoo models keras4j gives no tf.keras structure", refused))));
    }

    /** Path of tracked attributes → variable name, for every variable reachable from the root that way. */
    private static Map<String, String> variablePaths(SavedObjectGraph graph) {
        Map<String, String> out = new TreeMap<>();
        Deque<Map.Entry<Integer, String>> queue = new ArrayDeque<>(List.of(Map.entry(0, "")));
        while (!queue.isEmpty()) {
            Map.Entry<Integer, String> e = queue.poll();
            SavedObject node = graph.getNodes(e.getKey());
            if (node.getKindCase() == SavedObject.KindCase.VARIABLE) {
                out.put(e.getValue(), node.getVariable().getShape().toString().replace("\n", " "));
                continue;
            }
            for (var child : node.getChildrenList()) {
                if (NOT_TRACKED_ATTRIBUTES.contains(child.getLocalName())) continue;
                queue.add(Map.entry(child.getNodeId(), e.getValue() + "/" + child.getLocalName()));
            }
        }
        return out;
    }

    /**
     * Node path → identifier of the model and its layers ({@code root.layer_with_weights-0.layer-1}); the sub-layers
     * of composite layers (cells, wrapped layers) and metrics are left out, as keras4j writes no metadata for them.
     */
    private static Map<String, String> identifiers(SavedMetadata metadata) {
        Map<String, String> out = new TreeMap<>();
        for (var n : metadata.getNodesList()) {
            if (LAYER_PATH.matcher(n.getNodePath()).matches()) out.put(n.getNodePath(), n.getIdentifier());
        }
        return out;
    }
}
