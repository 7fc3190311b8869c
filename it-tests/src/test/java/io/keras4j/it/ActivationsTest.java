package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every activation function Keras 3 names (its {@code keras.activations} module, {@code oracle/activations.py}), in
 * an {@code Activation} layer: the runtime predicts Keras's outputs, and the SavedModel keras4j writes TensorFlow serves
 * with the same outputs. What the runtime or the SavedModel writer refuses is pinned with its reason
 * ({@code pinned/activations.tsv}): a refusal that appears or goes away fails.
 */
class ActivationsTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void everyKerasActivationPredictsAndIsServedAsKerasComputesIt() throws Exception {
        Path generated = ReverseCheck.freshOutput("activations");
        String script = Fixtures.root().resolve("it-tests/src/test/resources/oracle/activations.py").toString();
        String log = KerasOracle.run(script, generated.toString(), "k3");
        Path names = generated.resolve("names.txt");
        assertThat(names).as("Keras wrote the models:%n%s", log).exists();
        List<String> activations = Files.readAllLines(names).stream().filter(s -> !s.isBlank()).toList();
        assertThat(activations).as("activations Keras 3 names").contains("relu", "hard_silu", "mish");

        Map<String, String> refused = new TreeMap<>();
        List<JsonObject> checks = new ArrayList<>();
        Path out = ReverseCheck.freshOutput("activations-written");
        for (String name : activations) {
            Path dir = generated.resolve(name);
            Model model = KERAS.load(dir.resolve("model.keras"));
            try {
                float[] actual = CompiledModel.compile(model).predictTensors(List.of(Npy.read(dir.resolve("inputs_0.npy"))))
                        .get(0).toFloatArray();
                float[] expected = Npy.read(dir.resolve("outputs_0.npy")).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])))
                            .as("%s element %d: %s, Keras %s", name, i, actual[i], expected[i]).isLessThanOrEqualTo(1e-5);
                }
            } catch (UnsupportedModelException e) {
                refused.put(name + " predict", PinnedOutcomes.reason(e.getMessage(), generated));
            }
            Path target = out.resolve(name);
            try {
                KERAS.save(model, target, "savedmodel", WriteOptions.DEFAULT);
            } catch (UnsupportedModelException e) {
                refused.put(name + " savedmodel", PinnedOutcomes.reason(e.getMessage(), generated, out));
                continue;
            }
            checks.add(JsonObject.builder().put("id", name).put("loader", "tf.saved_model.load").put("path", target.toString())
                    .put("inputs", ReverseCheck.strings(List.of(dir.resolve("inputs_0.npy"))))
                    .put("outputs", ReverseCheck.strings(List.of(dir.resolve("outputs_0.npy")))).build());
        }
        Map<String, JsonObject> results = ReverseCheck.run(checks, out);
        for (JsonObject c : checks) {
            String id = c.getString("id", "");
            ReverseCheck.assertPassedOrTensorFlowCannotRunIt(id + " (SavedModel served by TensorFlow)", results.get(id));
        }
        PinnedOutcomes.assertMatches("activations", "activations the runtime or the SavedModel writer refuses", refused);
    }
}
