package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer case written by {@code src/test/python/make_layer_cases.py} with Keras 3 ({@code k3}) and tf_keras
 * ({@code k2}): keras4j's predictions agree with Keras's, and its shape inference with Keras's output shapes.
 */
class LayerCasesTest {
    static final Path CASES = Path.of("src/test/resources/cases");

    static Stream<String> cases() {
        return Fixtures.find(CASES, p -> p.getFileName().toString().equals("model.json")).stream()
                .map(p -> CASES.relativize(p.getParent()).toString().replace('\\', '/'));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void predictsLikeKeras(String name) {
        KerasCase c = KerasCase.load(CASES.resolve(name), name);
        CompiledModel model = CompiledModel.compile(c.model());
        Agreement.assertClose(name, model.predictTensors(c.inputs()), c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void infersKerasOutputShapes(String name) throws IOException {
        KerasCase c = KerasCase.load(CASES.resolve(name), name);
        CompiledModel model = CompiledModel.compile(c.model());
        Map<String, JsonValue> keras = KerasJson.parse(Files.readString(CASES.resolve(name).resolve("shapes.json")), null)
                .asObject().members();
        for (var layer : keras.entrySet()) {
            if (c.model().layer(layer.getKey()).map(l -> l.className().equals("InputLayer")).orElse(true)) continue;
            List<long[]> ours = model.outputShapes(layer.getKey()).orElseThrow();
            List<long[]> expected = layer.getValue().asArray().values().stream()
                    .map(s -> s.asArray().values().stream().mapToLong(d -> d.isNull() ? -1 : Long.parseLong(d.toJson())).toArray())
                    .toList();
            int output = model.outputNames().indexOf(layer.getKey());
            if (output >= 0 && !c.model().isSequential()) {
                // Keras's symbolic shape can be wrong (Activation("glu") claims the input's); its prediction is not.
                long[] predicted = c.expected().get(output).shape();
                predicted[0] = -1;
                expected = List.of(predicted);
            }
            assertThat(ours).as(name + " layer " + layer.getKey()).usingElementComparator(java.util.Arrays::compare)
                    .containsExactlyElementsOf(expected);
        }
    }
}
