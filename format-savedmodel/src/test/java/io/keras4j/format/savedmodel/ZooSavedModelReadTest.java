package io.keras4j.format.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.ReadOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.testing.KerasWeights;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SavedModel of the zoo: tf_keras 2.21 {@code model.save(save_format="tf")} (keras_metadata.pb) becomes its
 * Keras model with the weights Keras had; Keras 3.15 {@code export()} is reported as signatures and variables.
 * Run with {@code -Dkeras4j.zoo=/tmp/zoo} for the full zoo (the committed one leaves out the large k2 SavedModels).
 */
class ZooSavedModelReadTest {
    private final SavedModelCodec codec = new SavedModelCodec();

    static Stream<Path> savedModels(String gen) throws IOException {
        Path zoo = Fixtures.zoo();
        try (Stream<Path> s = Files.list(zoo)) {
            return s.map(m -> m.resolve(gen).resolve("savedmodel")).filter(d -> Files.isRegularFile(d.resolve("saved_model.pb")))
                    .sorted().toList().stream();
        }
    }

    static Stream<Path> k2() throws IOException { return savedModels("k2"); }

    static Stream<Path> k3() throws IOException { return savedModels("k3"); }

    @ParameterizedTest
    @MethodSource("k2")
    void tfKerasSavedModelIsItsKerasModelWithKerasWeights(Path dir) throws IOException {
        KerasFile file = codec.read(dir, ReadOptions.DEFAULT);
        assertThat(file.details().getString("keras_metadata", "")).isEqualTo("keras_metadata.pb");
        Model model = file.model().orElseThrow();
        assertThat(model.provenance().kerasVersion()).isEqualTo("2.21.0");
        KerasWeights.assertSameAsKeras(model, Npy.readNpz(dir.resolveSibling("weights.npz")), dir.toString());
        JsonObject serving = file.details().getObject("signatures").getObject("serving_default");
        assertThat(serving.getObject("inputs").size()).isEqualTo(inputCount(dir));
    }

    @ParameterizedTest
    @MethodSource("k3")
    void keras3ExportIsReportedAsSignaturesAndVariables(Path dir) throws IOException {
        KerasFile file = codec.read(dir, ReadOptions.DEFAULT);
        assertThat(file.hasArchitecture()).isFalse();
        assertThat(file.details().getString("keras_metadata", "")).startsWith("none");
        JsonObject serving = file.details().getObject("signatures").getObject("serving_default");
        assertThat(serving.getObject("outputs").keys()).first().isEqualTo("output_0");
        assertThat(serving.getObject("inputs").size()).isEqualTo(inputCount(dir));
        // Every weight Keras had is among the stored variables, once; the export adds the Dropout seed states.
        List<Tensor> stored = new ArrayList<>();
        file.storedWeights().forEach(g -> g.weights().stream().filter(w -> !w.name().endsWith("seed_generator_state"))
                .forEach(w -> stored.add(w.value())));
        Map<String, Tensor> expected = Npy.readNpz(dir.resolveSibling("weights.npz"));
        assertThat(stored).hasSize(expected.size());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            assertThat(stored).as(e.getKey()).anyMatch(t -> t.contentEquals(e.getValue()));
        }
    }

    private static int inputCount(Path savedModelDir) throws IOException {
        try (Stream<Path> s = Files.list(savedModelDir.getParent())) {
            return (int) s.filter(p -> p.getFileName().toString().matches("inputs_\\d+\\.npy")).count();
        }
    }
}
