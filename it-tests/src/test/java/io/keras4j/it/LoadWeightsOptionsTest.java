package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.runtime.WeightShapes;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.KerasWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras's {@code load_weights(by_name=…, skip_mismatch=…)} on tf.keras's {@code save_weights} {@code .h5} of the zoo
 * MLP ({@code dense} 4→8, {@code dropout}, {@code dense_1} 8→3), into architectures edited the way users edit them:
 * a renamed head, a head with other units. The expected tensors are the ones Keras reported for the zoo model.
 */
class LoadWeightsOptionsTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final LoadWeightsOptions BY_NAME = new LoadWeightsOptions(true, false);
    private static final LoadWeightsOptions BY_NAME_SKIPPING = new LoadWeightsOptions(true, true);
    @TempDir Path dir;

    static Zoo.Entry mlp() {
        return Zoo.current().entries().stream().filter(e -> e.id().equals("mlp-k2")).findFirst().orElseThrow();
    }

    /** The zoo MLP's architecture JSON with one exact, checked text replacement. */
    static Path edited(Path dir, String from, String to) throws Exception {
        String json = Files.readString(mlp().file("json").orElseThrow());
        assertThat(json.split(java.util.regex.Pattern.quote(from), -1)).as("'%s' occurs once", from).hasSize(2);
        return Files.writeString(dir.resolve("edited.json"), json.replace(from, to));
    }

    /** Keras's reported weights of the listed layers only, each under a (possibly new) layer name. */
    static Map<String, Tensor> kerasWeights(Map<String, String> layerRenames) {
        Map<String, Tensor> out = new TreeMap<>();
        mlp().weights().forEach((key, t) -> {
            String layer = key.substring(0, key.indexOf('/'));
            if (layerRenames.containsKey(layer)) out.put(layerRenames.get(layer) + key.substring(key.indexOf('/')), t);
        });
        return out;
    }

    static Layer layer(Model m, String name) { return m.layer(name).orElseThrow(); }

    @Test
    void byOrderFillsARenamedLayerByNameLeavesItEmpty() throws Exception {
        Model renamed = KERAS.load(edited(dir, "\"name\": \"dense_1\"", "\"name\": \"head\""));
        Path weights = mlp().file("weights-h5-k2").orElseThrow();

        Model byOrder = KERAS.loadWeights(renamed, weights, LoadWeightsOptions.DEFAULT);
        KerasWeights.assertSameAsKeras(byOrder, kerasWeights(Map.of("dense", "dense", "dense_1", "head")), "by order");

        Model byName = KERAS.loadWeights(renamed, weights, BY_NAME);
        KerasWeights.assertSameAsKeras(byName, kerasWeights(Map.of("dense", "dense")), "by name");
        assertThat(layer(byName, "head").weights()).as("no group 'head' in the file: left as it was").isEmpty();
    }

    /**
     * Keras builds the layers before loading, so it knows the shapes a file must have. keras4j checks against the
     * weights an architecture holds: here placeholders of the shapes the runtime infers from the config ({@code
     * WeightShapes}), which is what the CLI does for a bare JSON architecture. A skipped layer keeps its own weights.
     */
    @Test
    void aShapeMismatchFailsNamingTheLayerUnlessSkipped() throws Exception {
        Model wider = withPlaceholders(KERAS.load(edited(dir, "\"units\": 3", "\"units\": 5")));
        Path weights = mlp().file("weights-h5-k2").orElseThrow();

        for (LoadWeightsOptions strict : new LoadWeightsOptions[] {LoadWeightsOptions.DEFAULT, BY_NAME}) {
            assertThatThrownBy(() -> KERAS.loadWeights(wider, weights, strict)).as("%s", strict).isInstanceOf(Keras4jException.class)
                    .hasMessageContaining("dense_1").hasMessageContaining("[8, 5]").hasMessageContaining("[8, 3]");
        }
        Model skipped = KERAS.loadWeights(wider, weights, BY_NAME_SKIPPING);
        KerasWeights.assertSameAsKeras(skipped, kerasWeights(Map.of("dense", "dense")), "skip mismatch");
        assertThat(layer(skipped, "dense_1").weights()).as("mismatched: keeps its own weights")
                .extracting(w -> w.value().shape()).containsExactly(new long[] {8, 5}, new long[] {5});
    }

    /**
     * A bare architecture gives the h5 codec nothing to check against: the file's tensors are bound as they are, a
     * known gap of the Java API (Keras would refuse); callers that need the check supply shapes as above.
     */
    @Test
    void aBareArchitectureTakesTheFileShapesUnchecked() throws Exception {
        Model wider = KERAS.load(edited(dir, "\"units\": 3", "\"units\": 5"));
        Model loaded = KERAS.loadWeights(wider, mlp().file("weights-h5-k2").orElseThrow(), BY_NAME_SKIPPING);
        assertThat(layer(loaded, "dense_1").weights()).extracting(w -> w.value().shape())
                .containsExactly(new long[] {8, 3}, new long[] {3});
    }

    /** Zero weights of the shapes the runtime infers from the architecture's config. */
    private static Model withPlaceholders(Model architecture) {
        Map<String, List<long[]>> shapes = WeightShapes.of(architecture);
        List<Layer> layers = new ArrayList<>();
        for (Layer l : architecture.layers()) {
            List<Weight> w = new ArrayList<>();
            List<long[]> s = shapes.getOrDefault(l.name(), List.of());
            for (int i = 0; i < s.size(); i++) {
                long n = 1;
                for (long d : s.get(i)) n *= d;
                w.add(Weight.of(l.name() + "/" + i, Tensor.ofFloats(new float[(int) n], s.get(i))));
            }
            layers.add(l.toBuilder().weights(w).build());
        }
        return architecture.withLayers(layers);
    }
}
