package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.core.Dialects;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Keras 1 models (DL4J's examples, Theano and TensorFlow backends, with the predictions Keras 1 made) converted to
 * the formats Keras 2 and 3 load: a tf.keras {@code .h5} that {@code tf_keras.models.load_model} restores, a Keras 3
 * {@code .h5} and {@code .keras} that {@code keras.saving.load_model} restores, and a Keras 3 JSON architecture plus
 * {@code .weights.h5} for {@code model_from_json} + {@code load_weights}. Real Keras must predict what Keras 1
 * predicted (rtol 1e-4, atol 1e-5, as the other public-fixture checks: other kernels, same float32 model).
 * What keras4j refuses to write and what real Keras fails on are pinned, each with its reason. Today every failure
 * is a Keras 1 LSTM's {@code hard_sigmoid} written for Keras 3, where the same name means another function
 * ({@link Dialects#meaningChanges}; keras4j warns when it writes one): a prediction that differs must be explained
 * by such a change.
 */
class PublicKeras1WriteTest {
    /** DL4J's examples, and the 2018 copy that still holds the Keras 1 MNIST MLP's weights and predictions. */
    private static final List<String> EXAMPLES = List.of("dl4j-test-resources/src/main/resources/modelimport/keras/examples",
            "dl4j-test-resources-2018/src/main/resources/modelimport/keras/examples");
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    /** One way of writing a model and the real-Keras loader that judges it. */
    private record Target(String id, String file, Dialect dialect, String loader, String weightsFile) {}

    private static final List<Target> TARGETS = List.of(
            new Target("h5-k2", "k2.h5", Dialect.KERAS2, "tf_keras.load_model", null),
            new Target("h5-k3", "k3.h5", Dialect.KERAS3, "keras3.load_model", null),
            new Target("keras", "model.keras", Dialect.KERAS3, "keras3.load_model", null),
            new Target("json-k3", "model.json", Dialect.KERAS3, "keras3.model_from_json", "model.weights.h5"));

    @Test
    void realKerasPredictsWhatKeras1PredictedFromEveryWrittenFormat() throws Exception {
        Path pub = Fixtures.publicFixtures();
        KerasOracle.requirePython();
        Path out = ReverseCheck.freshOutput("public-keras1-writes");
        Keras4j keras = Keras4j.create();
        List<JsonObject> cases = new ArrayList<>();
        Map<String, String> refused = new TreeMap<>();
        Map<String, List<String>> meaningChanges = new TreeMap<>();
        int models = 0;
        for (Map.Entry<String, Model> source : keras1Sources(keras, pub).entrySet()) {
            String id = source.getKey();
            Model model = source.getValue();
            Path io = pub.resolve(id.substring(0, id.indexOf(' ')) + "_inputs_and_outputs.h5");
            Path dir = Files.createDirectories(out.resolve(id.replace('/', '_').replace(' ', '_').replace("+", "_")));
            Optional<Dl4jReference> reference = Dl4jReference.read(io, dir);
            if (reference.isEmpty()) continue; // inputs only: nothing to compare with
            JsonArray inputs = reference.get().inputs();
            JsonArray outputs = reference.get().outputs();
            models++;
            for (Target t : TARGETS) {
                Path target = dir.resolve(t.file());
                try {
                    keras.save(model, target, null, WriteOptions.DEFAULT.withDialect(t.dialect()));
                    if (t.weightsFile() != null) keras.save(model, dir.resolve(t.weightsFile()));
                } catch (Keras4jException e) {
                    assertThat(target).as("%s %s refused but left output behind", id, t.id()).doesNotExist();
                    refused.put(id + " " + t.id(), PinnedOutcomes.reason(e.getMessage(), dir, pub));
                    continue;
                }
                JsonObject.Builder c = JsonObject.builder().put("id", id + " " + t.id()).put("loader", t.loader())
                        .put("path", target.toString()).put("inputs", inputs).put("outputs", outputs)
                        .put("rtol", RTOL).put("atol", ATOL);
                if (t.weightsFile() != null) c.put("weights", dir.resolve(t.weightsFile()).toString());
                cases.add(c.build());
                meaningChanges.put(id + " " + t.id(), Dialects.meaningChanges(model, t.dialect()));
            }
        }
        // Today: the Theano and TensorFlow simple_lstm (full model and config + weights each) and the MNIST MLP.
        assertThat(models).as("Keras 1 sources with recorded predictions").isGreaterThanOrEqualTo(5);
        Map<String, JsonObject> results = ReverseCheck.run(cases, out);
        assertThat(results.keySet()).as("a result for every case").containsExactlyInAnyOrderElementsOf(
                cases.stream().map(c -> c.getString("id", "")).toList());
        Map<String, String> failed = new TreeMap<>();
        results.forEach((id, r) -> {
            if (!r.getBoolean("ok", false)) failed.put(id, PinnedOutcomes.reason(r.getString("error", "(no error)"), out, pub));
        });
        failed.forEach((id, why) -> {
            if (why.startsWith("outputs differ")) {
                assertThat(meaningChanges.get(id)).as("%s predicts differently from Keras 1 with no layer whose meaning "
                        + "the target generation changes: a conversion bug", id).isNotEmpty();
            }
        });
        System.out.printf("Keras 1 models: %d, cases: %d, passed: %d%n", models, cases.size(), cases.size() - failed.size());
        PinnedOutcomes.assertMatches("public-keras1-write-refusals", "Keras 1 models keras4j refuses to write", refused);
        PinnedOutcomes.assertMatches("public-keras1-write-failures", "written Keras 1 models real Keras fails on", failed);
    }

    /**
     * Keras 1 models with reference data, by {@code <example base> model.h5} or {@code <example base> config+weights}
     * (the base relative to the public fixtures): both layouts Keras 1 saved, as keras4j reads them.
     */
    private static Map<String, Model> keras1Sources(Keras4j keras, Path pub) {
        Map<String, Model> out = new TreeMap<>();
        for (String examples : EXAMPLES) {
            for (Path io : Fixtures.find(pub.resolve(examples), p -> p.getFileName().toString().endsWith("_inputs_and_outputs.h5"))) {
                String base = pub.relativize(io).toString().replace('\\', '/').replace("_inputs_and_outputs.h5", "");
                Path modelFile = pub.resolve(base + "_model.h5");
                Path config = pub.resolve(base + "_config.json");
                Path weights = pub.resolve(base + "_weights.h5");
                if (Files.exists(modelFile)) {
                    Model m = keras.load(modelFile);
                    if (m.dialect() == Dialect.KERAS1) out.put(base + " model.h5", m);
                }
                if (Files.exists(config) && Files.exists(weights)) {
                    Model m = keras.load(config);
                    if (m.dialect() == Dialect.KERAS1) {
                        out.put(base + " config+weights", keras.loadWeights(m, weights, LoadWeightsOptions.DEFAULT));
                    }
                }
            }
        }
        return out;
    }


}
