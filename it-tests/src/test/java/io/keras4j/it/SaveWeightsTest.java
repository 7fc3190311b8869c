package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.LoadWeightsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: {@code Keras4j.saveWeights(model, path)} picks the format from the name as Keras's {@code save_weights}
 * does. For every zoo model of both generations, each form is loaded by real Keras into the zoo's weightless JSON
 * architecture (checkpoints under Keras's restore assertions) and must predict the references, and keras4j reads each
 * back bit for bit.
 */
class SaveWeightsTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void saveWeightsWritesWhatKerasLoadWeightsReadsForEveryName() throws Exception {
        Path out = ReverseCheck.freshOutput("save-weights");
        List<JsonObject> cases = new ArrayList<>();
        int models = 0;
        for (Zoo.Entry e : Zoo.committed().entries()) {
            if (e.custom() || e.model().equals("lambda")) continue; // the user's Python classes, not this test's subject
            boolean k3 = e.gen().equals("k3");
            Model model = KERAS.load(k3 ? e.file("keras").orElseThrow() : e.file("h5").orElseThrow());
            Path arch = e.file("json").orElseThrow();
            Path dir = Files.createDirectories(out.resolve(e.id()));
            List<String[]> forms = k3
                    ? List.of(new String[] {"model.weights.h5", "keras3.load_weights"}, new String[] {"ckpt/weights", "keras3.checkpoint_read"})
                    : List.of(new String[] {"weights.h5", "tf_keras.load_weights"}, new String[] {"ckpt/weights", "tf_keras.load_weights"});
            for (String[] form : forms) {
                Path target = dir.resolve(form[0]);
                Files.createDirectories(target.getParent());
                KERAS.saveWeights(model, target);
                Model back = KERAS.loadWeights(KERAS.load(arch), target, LoadWeightsOptions.DEFAULT);
                assertSameWeights(back, model, e.id() + " " + form[0]);
                cases.add(JsonObject.builder().put("id", e.id() + " " + form[0]).put("loader", form[1])
                        .put("path", target.toString()).put("architecture", arch.toString())
                        .put("inputs", ReverseCheck.strings(e.inputs())).put("outputs", ReverseCheck.strings(e.outputs())).build());
            }
            models++;
        }
        assertThat(models).as("zoo models").isGreaterThanOrEqualTo(10);
        Map<String, JsonObject> results = ReverseCheck.run(cases, out);
        for (JsonObject c : cases) ReverseCheck.assertPassedOrTensorFlowCannotRunIt(c.getString("id", ""), results.get(c.getString("id", "")));
    }

    private static void assertSameWeights(Model back, Model original, String what) {
        List<Weight> a = back.weights(), b = original.weights();
        assertThat(a).as("%s: weights read back", what).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).value().toFloatArray()).as("%s: weight %d (%s)", what, i, b.get(i).name())
                    .containsExactly(b.get(i).value().toFloatArray());
        }
    }
}
