package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.LayerCatalogue.LayerClass;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The catalogue against Keras's own class lists ({@code keras3-layer-args.json} and {@code keras2-layer-args.json},
 * dumped from Keras 3 and tf.keras by {@code oracle/dump_layer_args.py}): a row that says Keras 3 lacks a class must
 * be a class Keras 3 lacks, and the reverse.
 */
class LayerCatalogueTest {
    private final LayerCatalogue catalogue = LayerCatalogue.keras();

    @Test
    void keras3AbsenceMatchesTheClassesKeras3Constructs() {
        List<String> wrong = new ArrayList<>();
        for (String cls : catalogue.classNames()) {
            LayerClass row = catalogue.find(cls).orElseThrow();
            if (row.isModel() || row.kind() == LayerCatalogue.Kind.LEGACY) continue;
            boolean keras3Has = LayerArgs.KERAS3.knowsLayer(cls);
            if (row.keras3AbsentBecause().isPresent() == keras3Has) wrong.add(cls + (keras3Has ? " (Keras 3 has it)" : " (Keras 3 lacks it)"));
        }
        assertThat(wrong).as("rows whose keras3_absent_because disagrees with Keras 3's class list").isEmpty();
    }

    /** Abstract bases and wrappers of another framework's code: never a layer of a saved model by themselves. */
    private static final Set<String> NOT_LAYERS = Set.of("Layer", "Wrapper", "AbstractRNNCell", "JaxLayer", "FlaxLayer",
            "TorchModuleWrapper");

    @Test
    void everyLayerClassOfKeras3AndTfKerasIsCatalogued() {
        List<String> missing = new ArrayList<>();
        for (LayerArgs keras : List.of(LayerArgs.KERAS3, LayerArgs.KERAS2)) {
            for (String cls : keras.layerClasses()) if (!NOT_LAYERS.contains(cls) && !catalogue.isBuiltin(cls)) missing.add(cls);
        }
        assertThat(missing).as("Keras layer classes without a catalogue row").isEmpty();
    }

    @Test
    void aliasesNameOneClassEachAndNeverAClass() {
        Set<String> seen = new HashSet<>();
        for (String cls : catalogue.classNames()) {
            for (String alias : catalogue.find(cls).orElseThrow().aliases()) {
                assertThat(catalogue.classNames()).as("alias %s of %s", alias, cls).doesNotContain(alias);
                assertThat(seen.add(alias)).as("alias %s listed twice", alias).isTrue();
                assertThat(catalogue.find(alias).orElseThrow().className()).isEqualTo(cls);
            }
        }
    }

    @Test
    void unknownClassesHaveNoProperty() {
        assertThat(catalogue.find("MyCustomLayer")).isEmpty();
        assertThat(catalogue.isBuiltin("MyCustomLayer")).isFalse();
        assertThat(catalogue.is("MyCustomLayer", row -> true)).isFalse();
        assertThat(catalogue.isBuiltin("MaxPool2D")).as("an alias is not a class name").isFalse();
        assertThat(catalogue.is("MaxPool2D", LayerClass::channelsFirstCapable)).isTrue();
    }

    @Test
    void aKeras3ClassTfKerasLacksIsRefusedWhenWritingForTfKeras() {
        String json = """
                {"module": "keras", "class_name": "Sequential", "registered_name": null, "config": {"name": "s", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null,
                   "config": {"name": "x", "batch_shape": [null, 4, 4, 3], "dtype": "float32"}},
                  {"module": "keras.layers", "class_name": "RandomHue", "registered_name": null,
                   "config": {"name": "hue", "factor": 0.5, "value_range": [0, 255]}}]}}""";
        io.keras4j.model.Model m = KerasJson.readModel(json, null);
        assertThat(LayerArgs.KERAS2.knowsLayer("RandomHue")).as("tf_keras's class table").isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Dialects.convertForWriting(m, io.keras4j.model.Dialect.KERAS2))
                .isInstanceOf(io.keras4j.UnsupportedModelException.class)
                .hasMessageContaining("RandomHue layer 'hue' cannot be written for tf.keras");
    }
}
