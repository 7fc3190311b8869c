package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.h5.H5Codec;
import io.keras4j.format.h5.testing.ReferenceData;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weights of old writers (Keras 1.x and 2.x, Theano and TensorFlow backends) converted by format-h5 predict what the
 * Keras that saved them predicted: DL4J's {@code *_inputs_and_outputs.h5} ({@code predictions/}), run by the keras4j
 * runtime, both from the full-model {@code _model.h5} and from {@code _config.json} + {@code _weights.h5}
 * (the save_weights layout, whose Keras 1 names and per-gate RNN matrices need converting).
 */
class LegacyWeightsPredictionTest {
    private static final String EXAMPLES = "dl4j-test-resources/src/main/resources/modelimport/keras/examples";
    /** Keras's values and ours within {@code 1e-5 * max(1, |keras|)}. */
    private static final double TOLERANCE = 1e-5;
    private final H5Codec h5 = new H5Codec();

    static Stream<String> cases() {
        Path root = Fixtures.publicFixtures().resolve(EXAMPLES);
        List<String> out = new ArrayList<>();
        for (Path io : Fixtures.find(root, p -> p.getFileName().toString().endsWith("_inputs_and_outputs.h5"))) {
            String base = root.relativize(io).toString().replace("_inputs_and_outputs.h5", "");
            // A few DL4J files record inputs and outputs but no Keras predictions: nothing to compare with.
            if (ReferenceData.read(io).group("predictions").isEmpty()) continue;
            if (Files.exists(root.resolve(base + "_model.h5"))) out.add(base + " model.h5");
            if (Files.exists(root.resolve(base + "_config.json")) && Files.exists(root.resolve(base + "_weights.h5"))) out.add(base + " config+weights");
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convertedWeightsPredictLikeKeras(String name) throws Exception {
        Path root = Fixtures.publicFixtures().resolve(EXAMPLES);
        String base = name.substring(0, name.indexOf(' '));
        Model model;
        if (name.endsWith("model.h5")) {
            model = h5.read(root.resolve(base + "_model.h5"), ReadOptions.DEFAULT).model().orElseThrow();
        } else {
            Path config = root.resolve(base + "_config.json");
            Model architecture = KerasJson.readModel(Files.readString(config), config);
            model = h5.loadWeights(architecture, root.resolve(base + "_weights.h5"), LoadWeightsOptions.DEFAULT);
        }
        ReferenceData reference = ReferenceData.read(root.resolve(base + "_inputs_and_outputs.h5"));
        Map<String, Tensor> predictions = reference.group("predictions");
        CompiledModel compiled = CompiledModel.compile(model);
        List<Tensor> actual = compiled.predictTensors(ordered(reference.group("inputs"), compiled.inputNames()));
        List<Tensor> expected = ordered(predictions, compiled.outputNames());
        double worst = 0;
        for (int o = 0; o < expected.size(); o++) {
            float[] a = actual.get(o).toFloatArray(), e = expected.get(o).toFloatArray();
            assertThat(a).as("%s output %d size", name, o).hasSameSizeAs(e);
            for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i])));
        }
        System.out.printf("%-60s worst relative error %.2e%n", name, worst);
        assertThat(worst).as(name).isLessThanOrEqualTo(TOLERANCE);
    }

    /** The tensors in the order the model names its inputs or outputs when the names match, else in file order. */
    private static List<Tensor> ordered(Map<String, Tensor> byName, List<String> names) {
        if (!byName.keySet().containsAll(names) || names.size() != byName.size()) return new ArrayList<>(byName.values());
        return names.stream().map(byName::get).toList();
    }
}
